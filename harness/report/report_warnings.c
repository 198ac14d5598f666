/* The report's first section after the run's identity: what the preflight
 * and the self-checks say about these figures, so that no reader takes a
 * number without its caveats. */
#include "findings.h"
#include "report_doc.h"
#include "report_view.h"
#include "selfcheck.h"

#include <string.h>

/* Adds the findings worth a reader's attention to the report: the host's
 * preflight problems, then the self-checks (made again from the cells when
 * the file predates them). */
void cvb_report_warnings(const cJSON *doc, struct cvb_rdoc *d)
{
	struct cvb_findings f = {0};
	const cJSON *host = cvb_rv_host(doc);
	cvb_findings_from_json(&f, cvb_rv_get(host, "preflight"));
	const cJSON *checks = cvb_rv_get(doc, "checks");
	if (cJSON_IsArray(checks)) {
		cvb_findings_from_json(&f, checks);
	} else {
		cJSON *copy = cJSON_Duplicate(doc, true);
		if (copy)
			cvb_selfcheck_results(copy, &f);
		cJSON_Delete(copy);
	}
	size_t problems = f.n - cvb_findings_count(&f, CVB_LEVEL_OK);
	cvb_rdoc_heading(d, 2, "Warnings");
	if (!problems) {
		cvb_rdoc_para(d, "None: the preflight found the host fit to measure, and every "
		                 "measurement passed its self-checks (stable samples, intervals "
		                 "narrower than their medians, no other load on the host).");
		cvb_findings_free(&f);
		return;
	}
	cvb_rdoc_para(d, "%zu warning(s) about this host or these figures: read them before the "
	                 "numbers below. 'preflight' checks ran before anything was measured; the "
	                 "others check the measurements themselves.",
	              problems);
	static const char *const heads[] = {"Level", "Check", "About", "What was seen", "Fix"};
	cvb_rdoc_table(d, 5, heads);
	for (size_t i = 0; i < f.n; i++) {
		const struct cvb_finding *x = &f.v[i];
		if (x->verdict == CVB_LEVEL_OK)
			continue;
		const char *cells[] = {cvb_level_name(x->verdict), x->check,
		                       x->subject[0] ? x->subject : "host", x->evidence,
		                       x->fix[0] ? x->fix : "-"};
		cvb_rdoc_row(d, cells);
	}
	cvb_findings_free(&f);
}
