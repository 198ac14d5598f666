/* libFuzzer target: matrix files (harness/plan/matrix.c), each block parsed as
 * `cvbench run` options (harness/plan/plan_parse.c). Besides crashes and leaks it
 * checks that a refused matrix gets a one-line message, as the CLI prints. */
#include "plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct cvb_matrix m;
	struct cvb_error err;
	memset(&m, 0, sizeof(m));
	memset(&err, 0, sizeof(err));
	int rc = cvb_matrix_from_text("fuzz.json", text, 0, NULL, &m, &err);
	if (rc < 0 && (err.msg[0] == '\0' || strchr(err.msg, '\n')))
		abort(); /* a refusal must say why, on one line */
	cvb_matrix_free(&m);
	free(text);
	return 0;
}
