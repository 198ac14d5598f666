/* Reading and writing big results documents quickly. A metric with a
 * million samples is some 30 MB of JSON; cJSON's parser spends about half a
 * second on it (strtod and a literal check per number) and its printer
 * about as long (two printf and a scanf per number). These do the same
 * work on the long arrays of numbers, and leave the rest to cJSON, so the
 * documents are cJSON trees like any other. */
#ifndef CVB_JSON_FAST_H
#define CVB_JSON_FAST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Arrays of at least this many plain numbers take the fast path. */
#define CVB_JSON_FAST_MIN_ARRAY 64

/* Numbers of long arrays kept out of a parsed tree (see cvb_json_parse). */
struct cvb_json_aside;

/* Parses len bytes of text into the tree cJSON_ParseWithLengthOpts(text,
 * len, &end, false) gives (the same values, types and order), but scans
 * every array of CVB_JSON_FAST_MIN_ARRAY or more numbers itself: integers
 * and decimals of up to 19 significant digits with a power of ten up to
 * 22 are converted exactly (one correctly rounded multiplication or
 * division, Clinger's fast path), the rest by strtod, as cJSON does.
 * With aside NULL those arrays get their number nodes as usual. Otherwise
 * they stay EMPTY in the tree and *aside gets their numbers (a million
 * cJSON nodes cost some 80 MB and a tenth of a second to make and as much
 * to free): cvb_json_aside_find / cvb_json_numbers read them,
 * cvb_json_aside_materialize puts them in. Free *aside (before the tree)
 * with cvb_json_aside_free.
 * NULL on failure with *code EINVAL (not JSON; *error_at: the byte where
 * cJSON stopped, in text's own offsets), ENOMEM, or EINTR (a stop signal
 * arrived: cvb_stop_signal, checked every megabyte). */
cJSON *cvb_json_parse(const char *text, size_t len, struct cvb_json_aside **aside, int *code,
                      size_t *error_at);

/* The numbers of array when a is holding them (its node is empty in the
 * tree): their count in *n; NULL otherwise. */
const double *cvb_json_aside_find(const struct cvb_json_aside *a, const cJSON *array, size_t *n);

/* The same, searching every aside table not yet freed: for code that is
 * handed a tree (plots, reports) and not the table. NULL for an array
 * whose numbers are in the tree, or that no table holds. */
const double *cvb_json_numbers(const cJSON *array, size_t *n);

/* Puts every number held aside into its array, as a plain parse would
 * have (for code that copies or edits the tree). 0, or -1 with errno
 * ENOMEM (the arrays not yet filled stay aside). */
int cvb_json_aside_materialize(struct cvb_json_aside *a);

/* A new, empty table (searched by cvb_json_numbers and cvb_json_print
 * until freed): for a tree built with numbers held aside. NULL when out of
 * memory. */
struct cvb_json_aside *cvb_json_aside_new(void);

/* Holds n numbers for array, replacing what the table held for it and the
 * array's own nodes (deleted). owned: v is free()d with the table (and at
 * once on failure); else v must outlive it. 0, or -1 with errno ENOMEM. */
int cvb_json_aside_hold(struct cvb_json_aside *a, cJSON *array, double *v, size_t n, bool owned);

/* Drops what the table holds for arrays in subtree (subtree itself
 * included): call it before subtree is deleted, or a node allocated later
 * at the same address would be taken for it. */
void cvb_json_aside_forget(struct cvb_json_aside *a, const cJSON *subtree);

/* Frees the table and the numbers it owns (the tree is not touched). */
void cvb_json_aside_free(struct cvb_json_aside *a);

/* The text cJSON_Print(item) gives (tabs, "key":<TAB>value, "[1, 2]"), an
 * empty array whose numbers a table holds (cvb_json_numbers) printed with
 * them,
 * except for numbers, which always read back as exactly the same double
 * (cJSON prints %.15g whenever that reads back within DBL_EPSILON, not
 * always exactly): integers below 1e15 in digits, as cJSON does; others in
 * fixed point with up to 9 decimals when that is exact, else the first of
 * %.15g, %.16g, %.17g that is; NaN and infinities as null, as cJSON does. Newly allocated, *len its
 * length; NULL with errno ENOMEM, or EINTR when a stop signal arrived. */
char *cvb_json_print(const cJSON *item, size_t *len);

#endif
