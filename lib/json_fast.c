/* Fast paths for long arrays of numbers in JSON; see json_fast.h. */
#include "json_fast.h"
#include "signals.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 10^0 .. 10^22: every one an exact double. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Stop signals are looked at once per this many bytes or items. */
#define CHECK_EVERY (1u << 20)

/* cJSON copies a number into a 64-byte buffer before strtod: longer
 * tokens are left to it, so that both read the same value. */
#define MAX_NUMBER_TOKEN 63

static bool is_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.';
}

/* The number in [s, e) exactly as strtod reads it; false when the token is
 * not one number (cJSON would stop there: the slow path reports it). */
static bool parse_number(const char *s, const char *e, double *out)
{
	const char *p = s;
	uint64_t w = 0;
	int sig = 0, exp10 = 0;
	bool neg = false, frac = false, inexact = false, digits = false;

	if (p < e && *p == '-') {
		neg = true;
		p++;
	}
	for (; p < e; p++) {
		if (*p >= '0' && *p <= '9') {
			unsigned d = (unsigned)(*p - '0');

			digits = true;
			if (w == 0 && d == 0) {
				exp10 -= frac;
				continue;
			}
			if (sig < 19) {
				w = w * 10 + d;
				sig++;
				exp10 -= frac;
			} else {
				exp10 += !frac;
				inexact |= d != 0;
			}
		} else if (*p == '.' && !frac) {
			frac = true;
		} else {
			break;
		}
	}
	if (p < e && (*p == 'e' || *p == 'E') && digits) {
		const char *q = p + 1;
		bool eneg = false;
		int ev = 0;

		if (q < e && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		if (q == e)
			inexact = true; /* "1e": strtod's business */
		for (; q < e && *q >= '0' && *q <= '9'; q++)
			if (ev < 100000)
				ev = ev * 10 + (*q - '0');
		p = q;
		exp10 += eneg ? -ev : ev;
	}
	if (digits && !inexact && p == e) {
		if (w == 0) {
			*out = neg ? -0.0 : 0.0;
			return true;
		}
		if (w <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
			double v = (double)w;

			v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
			*out = neg ? -v : v;
			return true;
		}
	}
	/* The slow path, on a NUL-terminated copy. */
	char buf[MAX_NUMBER_TOKEN + 1], *end;
	size_t n = (size_t)(e - s);
	if (n > MAX_NUMBER_TOKEN)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, &end);
	return end == buf + n;
}

struct span {
	size_t start, end; /* "[" .. "]" + 1 in the text */
	size_t ordinal;    /* how many arrays the text opened before this one */
	size_t first, n;   /* its numbers in the values buffer */
};

struct scan {
	const char *text;
	size_t len;
	struct span *spans;
	size_t n_spans, cap_spans;
	double *vals;
	size_t n_vals, cap_vals;
};

static bool push_value(struct scan *sc, double v)
{
	if (sc->n_vals == sc->cap_vals) {
		size_t cap = sc->cap_vals ? sc->cap_vals * 2 : 4096;
		double *grown = realloc(sc->vals, cap * sizeof(*grown));

		if (!grown)
			return false;
		sc->vals = grown;
		sc->cap_vals = cap;
	}
	sc->vals[sc->n_vals++] = v;
	return true;
}

static bool skip_ws(const char *t, size_t len, size_t *i)
{
	while (*i < len && (unsigned char)t[*i] <= 32)
		(*i)++;
	return *i < len;
}

/* Tries the array opened at text[open] as a list of numbers: 1 and
 * *close (one past its "]") when it is one, 0 when it is not (or is
 * short), -1 when out of memory. Its numbers stay in sc->vals when 1. */
static int try_numbers(struct scan *sc, size_t open, size_t *close)
{
	const char *t = sc->text;
	size_t i = open + 1, first = sc->n_vals;

	if (!skip_ws(t, sc->len, &i) || t[i] == ']')
		return 0;
	for (;;) {
		size_t s = i;
		double v;

		if (!(t[i] == '-' || (t[i] >= '0' && t[i] <= '9')))
			goto not_numbers;
		while (i < sc->len && is_number_char(t[i]))
			i++;
		if (!parse_number(t + s, t + i, &v))
			goto not_numbers;
		if (!push_value(sc, v))
			return -1;
		if (!skip_ws(t, sc->len, &i))
			goto not_numbers;
		if (t[i] == ']')
			break;
		if (t[i] != ',')
			goto not_numbers;
		i++;
		if (!skip_ws(t, sc->len, &i))
			goto not_numbers;
	}
	if (sc->n_vals - first < CVB_JSON_FAST_MIN_ARRAY)
		goto not_numbers;
	*close = i + 1;
	return 1;
not_numbers:
	sc->n_vals = first;
	return 0;
}

/* Finds the long arrays of numbers, outside strings, in text order. */
static int scan_text(struct scan *sc)
{
	const char *t = sc->text;
	size_t ordinal = 0, next_check = CHECK_EVERY;

	for (size_t i = 0; i < sc->len; i++) {
		if (i >= next_check) {
			if (cvb_stop_signal)
				return EINTR;
			next_check = i + CHECK_EVERY;
		}
		if (t[i] == '"') {
			for (i++; i < sc->len && t[i] != '"'; i++)
				if (t[i] == '\\')
					i++;
			continue;
		}
		if (t[i] != '[')
			continue;
		size_t close, first = sc->n_vals;
		int r = try_numbers(sc, i, &close);
		if (r < 0)
			return ENOMEM;
		if (r == 1) {
			if (sc->n_spans == sc->cap_spans) {
				size_t cap = sc->cap_spans ? sc->cap_spans * 2 : 16;
				struct span *grown = realloc(sc->spans, cap * sizeof(*grown));

				if (!grown)
					return ENOMEM;
				sc->spans = grown;
				sc->cap_spans = cap;
			}
			sc->spans[sc->n_spans++] = (struct span){.start = i,
			                                         .end = close,
			                                         .ordinal = ordinal,
			                                         .first = first,
			                                         .n = sc->n_vals - first};
			i = close - 1;
		}
		ordinal++;
	}
	return 0;
}

struct aside_entry {
	cJSON *node; /* the empty array */
	const double *v;
	size_t n;
	double *owned; /* v when the table owns it, else NULL */
};

struct cvb_json_aside {
	struct aside_entry *e;
	size_t n, cap;
	double *vals;                /* the parse's numbers, which entries point into */
	struct cvb_json_aside *next; /* registered tables */
};

/* Every live table, for cvb_json_numbers. */
static struct cvb_json_aside *registered;

struct fill {
	const struct scan *sc;
	struct cvb_json_aside *aside; /* NULL: make nodes */
	size_t ordinal, next_span;
	int code;
};

/* Appends n number nodes to the array. */
static int fill_numbers(cJSON *array, const double *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		cJSON *num = cJSON_CreateNumber(v[k]);

		if (!num || !cJSON_AddItemToArray(array, num)) {
			cJSON_Delete(num);
			return -1;
		}
	}
	return 0;
}

/* Walks the tree in text order, counting arrays like scan_text, and puts
 * each span's numbers into its (emptied) array. */
static void fill_arrays(struct fill *f, cJSON *item)
{
	for (; item && !f->code && f->next_span < f->sc->n_spans; item = item->next) {
		if (cJSON_IsArray(item)) {
			const struct span *sp = &f->sc->spans[f->next_span];

			if (f->ordinal++ == sp->ordinal) {
				if (item->child) { /* cannot happen: the text held "[]" there */
					f->code = EINVAL;
					return;
				}
				if (f->aside) {
					f->aside->e[f->aside->n++] = (struct aside_entry){
					    .node = item, .v = f->sc->vals + sp->first, .n = sp->n};
				} else if (fill_numbers(item, f->sc->vals + sp->first, sp->n) < 0) {
					f->code = ENOMEM;
					return;
				}
				f->next_span++;
				if (cvb_stop_signal)
					f->code = EINTR;
				continue;
			}
		}
		if (cJSON_IsArray(item) || cJSON_IsObject(item))
			fill_arrays(f, item->child);
	}
}

/* See json_fast.h. */
cJSON *cvb_json_parse(const char *text, size_t len, struct cvb_json_aside **aside, int *code,
                      size_t *error_at)
{
	struct scan sc = {.text = text, .len = len};
	struct cvb_json_aside *a = NULL;
	char *stripped = NULL;
	cJSON *doc = NULL;
	size_t slen = 0;

	if (aside)
		*aside = NULL;
	*code = 0;
	*error_at = 0;
	*code = scan_text(&sc);
	if (*code)
		goto out;
	if (sc.n_spans == 0) {
		const char *end = NULL;

		doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
		if (!doc) {
			*code = EINVAL;
			*error_at = end && end >= text ? (size_t)(end - text) : 0;
		}
		goto out;
	}
	/* The text with every long numeric array as "[]". */
	stripped = malloc(len + 1);
	if (!stripped) {
		*code = ENOMEM;
		goto out;
	}
	size_t at = 0;
	for (size_t k = 0; k < sc.n_spans; k++) {
		memcpy(stripped + slen, text + at, sc.spans[k].start - at);
		slen += sc.spans[k].start - at;
		memcpy(stripped + slen, "[]", 2);
		slen += 2;
		at = sc.spans[k].end;
	}
	memcpy(stripped + slen, text + at, len - at);
	slen += len - at;
	stripped[slen] = '\0';

	const char *end = NULL;
	doc = cJSON_ParseWithLengthOpts(stripped, slen, &end, false);
	if (doc) {
		/* cJSON stops after the first value: arrays in the text after it
		 * (a second document appended, say) are not in the tree. */
		size_t off = end && end >= stripped ? (size_t)(end - stripped) : slen, shift = 0;
		size_t k = 0;

		for (; k < sc.n_spans && sc.spans[k].start - shift < off; k++)
			shift += sc.spans[k].end - sc.spans[k].start - 2;
		sc.n_spans = k;
	}
	if (!doc) {
		/* Back to the text's offsets: every span before shrank to 2. */
		size_t off = end && end >= stripped ? (size_t)(end - stripped) : 0, shift = 0;

		for (size_t k = 0; k < sc.n_spans; k++) {
			size_t s_start = sc.spans[k].start - shift;

			if (s_start >= off)
				break;
			shift += sc.spans[k].end - sc.spans[k].start - 2;
		}
		*code = EINVAL;
		*error_at = off + shift;
		goto out;
	}
	if (aside) {
		a = calloc(1, sizeof(*a));
		if (a) {
			a->e = calloc(sc.n_spans, sizeof(*a->e));
			a->cap = sc.n_spans;
		}
		if (!a || !a->e) {
			*code = ENOMEM;
			cJSON_Delete(doc);
			doc = NULL;
			goto out;
		}
	}
	struct fill f = {.sc = &sc, .aside = a};
	fill_arrays(&f, doc);
	if (!f.code && f.next_span != sc.n_spans)
		f.code = EINVAL;
	if (f.code) {
		*code = f.code;
		cJSON_Delete(doc);
		doc = NULL;
		goto out;
	}
	if (a) {
		a->vals = sc.vals; /* the entries point into it */
		sc.vals = NULL;
		a->next = registered;
		registered = a;
		*aside = a;
		a = NULL;
	}
out:
	if (a) {
		free(a->e);
		free(a);
	}
	free(stripped);
	free(sc.spans);
	free(sc.vals);
	return doc;
}

/* See json_fast.h. */
const double *cvb_json_aside_find(const struct cvb_json_aside *a, const cJSON *array, size_t *n)
{
	for (size_t k = 0; a && k < a->n; k++)
		if (a->e[k].node == array) {
			*n = a->e[k].n;
			return a->e[k].v;
		}
	return NULL;
}

/* See json_fast.h. */
const double *cvb_json_numbers(const cJSON *array, size_t *n)
{
	if (!array || array->child)
		return NULL;
	for (const struct cvb_json_aside *a = registered; a; a = a->next) {
		const double *v = cvb_json_aside_find(a, array, n);

		if (v)
			return v;
	}
	return NULL;
}

static void drop_entry(struct cvb_json_aside *a, size_t k)
{
	free(a->e[k].owned);
	a->e[k] = a->e[--a->n];
}

/* See json_fast.h. */
int cvb_json_aside_materialize(struct cvb_json_aside *a)
{
	while (a && a->n > 0) {
		struct aside_entry *e = &a->e[a->n - 1];

		if (fill_numbers(e->node, e->v, e->n) < 0) {
			/* Leave the array as it was: empty, its numbers aside. */
			while (e->node->child) {
				cJSON *c = e->node->child;

				e->node->child = c->next;
				c->next = NULL;
				cJSON_Delete(c);
			}
			errno = ENOMEM;
			return -1;
		}
		drop_entry(a, a->n - 1);
	}
	return 0;
}

/* See json_fast.h. */
struct cvb_json_aside *cvb_json_aside_new(void)
{
	struct cvb_json_aside *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->next = registered;
	registered = a;
	return a;
}

/* See json_fast.h. */
int cvb_json_aside_hold(struct cvb_json_aside *a, cJSON *array, double *v, size_t n, bool owned)
{
	size_t k;

	for (k = 0; k < a->n && a->e[k].node != array; k++)
		;
	if (k == a->n) {
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 16;
			struct aside_entry *grown = realloc(a->e, cap * sizeof(*grown));

			if (!grown) {
				if (owned)
					free(v);
				errno = ENOMEM;
				return -1;
			}
			a->e = grown;
			a->cap = cap;
		}
		a->n++;
	} else if (a->e[k].owned != v) {
		free(a->e[k].owned);
	}
	/* The numbers are the array's now: nodes it had would print twice. */
	cJSON_Delete(array->child);
	array->child = NULL;
	a->e[k] = (struct aside_entry){.node = array, .v = v, .n = n, .owned = owned ? v : NULL};
	return 0;
}

static bool in_subtree(const cJSON *root, const cJSON *node)
{
	for (const cJSON *c = root; c; c = c->next)
		if (c == node || in_subtree(c->child, node))
			return true;
	return false;
}

/* See json_fast.h. */
void cvb_json_aside_forget(struct cvb_json_aside *a, const cJSON *subtree)
{
	for (size_t k = 0; a && subtree && k < a->n;) {
		if (a->e[k].node == subtree ||
		    (subtree->child && in_subtree(subtree->child, a->e[k].node)))
			drop_entry(a, k);
		else
			k++;
	}
}

/* See json_fast.h. */
void cvb_json_aside_free(struct cvb_json_aside *a)
{
	if (!a)
		return;
	for (struct cvb_json_aside **p = &registered; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
	for (size_t k = 0; k < a->n; k++)
		free(a->e[k].owned);
	free(a->e);
	free(a->vals);
	free(a);
}

/* ---- printing ------------------------------------------------------------ */

struct out {
	char *s;
	size_t len, cap;
	bool failed;
	size_t items;
};

static bool reserve(struct out *o, size_t more)
{
	if (o->failed)
		return false;
	if (o->len + more + 1 <= o->cap)
		return true;
	size_t cap = o->cap ? o->cap : 4096;
	while (cap < o->len + more + 1)
		cap *= 2;
	char *grown = realloc(o->s, cap);
	if (!grown) {
		o->failed = true;
		return false;
	}
	o->s = grown;
	o->cap = cap;
	return true;
}

static void put(struct out *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return;
	memcpy(o->s + o->len, s, n);
	o->len += n;
}

static void put_char(struct out *o, char c)
{
	if (!reserve(o, 1))
		return;
	o->s[o->len++] = c;
}

static void put_tabs(struct out *o, size_t n)
{
	if (!reserve(o, n))
		return;
	memset(o->s + o->len, '\t', n);
	o->len += n;
}

/* Digits of v < 10^19 into buf (right-aligned ending at end); returns start. */
static char *utoa_back(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* See json_fast.h for the forms. buf holds 40 bytes. */
static size_t format_number(double d, char *buf)
{
	char tmp[40], *p;
	double a = fabs(d);

	if (!isfinite(d)) {
		memcpy(buf, "null", 4);
		return 4;
	}
	if (a < 1e15 && a == floor(a)) {
		p = utoa_back((uint64_t)a, tmp + sizeof(tmp));
		if (d < 0)
			*--p = '-';
		size_t n = (size_t)(tmp + sizeof(tmp) - p);
		memcpy(buf, p, n);
		return n;
	}
	/* Fixed point with k decimals when that reads back exactly: w / 10^k
	 * rounds to d (one correctly rounded division), so strtod of the
	 * digits gives d again. */
	if (a >= 1e-4 && a < 1e15) {
		for (int k = 1; k <= 9; k++) {
			double w = nearbyint(a * pow10_exact[k]);

			if (w >= 9007199254740992.0)
				break;
			if (w / pow10_exact[k] != a)
				continue;
			uint64_t iw = (uint64_t)w, scale = 1;
			for (int i = 0; i < k; i++)
				scale *= 10;
			uint64_t ip = iw / scale, fp = iw % scale;
			int kk = k;
			while (kk > 0 && fp % 10 == 0) {
				fp /= 10;
				kk--;
			}
			char *e = tmp + sizeof(tmp);
			p = e;
			for (int i = 0; i < kk; i++) {
				*--p = (char)('0' + fp % 10);
				fp /= 10;
			}
			*--p = '.';
			p = utoa_back(ip, p);
			if (d < 0)
				*--p = '-';
			size_t n = (size_t)(e - p);
			memcpy(buf, p, n);
			return n;
		}
	}
	for (int prec = 15; prec <= 17; prec++) {
		int n = snprintf(buf, 40, "%.*g", prec, d);

		if (prec == 17 || strtod(buf, NULL) == d)
			return (size_t)n;
	}
	return 0; /* not reached */
}

static void put_string(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	put_char(o, '"');
	if (s) {
		const char *run = s;

		for (const char *p = s;; p++) {
			unsigned char c = (unsigned char)*p;

			if (c > 31 && c != '"' && c != '\\')
				continue;
			put(o, run, (size_t)(p - run));
			if (c == '\0')
				break;
			char esc[6] = {'\\', 0};
			size_t n = 2;
			switch (c) {
			case '"':
				esc[1] = '"';
				break;
			case '\\':
				esc[1] = '\\';
				break;
			case '\b':
				esc[1] = 'b';
				break;
			case '\f':
				esc[1] = 'f';
				break;
			case '\n':
				esc[1] = 'n';
				break;
			case '\r':
				esc[1] = 'r';
				break;
			case '\t':
				esc[1] = 't';
				break;
			default:
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				n = 6;
			}
			put(o, esc, n);
			run = p + 1;
		}
	}
	put_char(o, '"');
}

static int print_value(struct out *o, const cJSON *item, size_t depth);

static int print_children(struct out *o, const cJSON *item, size_t depth, bool object)
{
	const cJSON *c;

	put_char(o, object ? '{' : '[');
	depth++;
	if (object)
		put_char(o, '\n');
	for (c = item->child; c; c = c->next) {
		if (object) {
			put_tabs(o, depth);
			put_string(o, c->string);
			put(o, ":\t", 2);
		}
		if (print_value(o, c, depth) < 0)
			return -1;
		if (c->next)
			put(o, object ? "," : ", ", object ? 1 : 2);
		if (object)
			put_char(o, '\n');
	}
	if (object)
		put_tabs(o, depth - 1);
	put_char(o, object ? '}' : ']');
	return 0;
}

static int print_value(struct out *o, const cJSON *item, size_t depth)
{
	if (++o->items % CHECK_EVERY == 0 && cvb_stop_signal) {
		errno = EINTR;
		return -1;
	}
	switch (item->type & 0xff) {
	case cJSON_NULL:
		put(o, "null", 4);
		return 0;
	case cJSON_False:
		put(o, "false", 5);
		return 0;
	case cJSON_True:
		put(o, "true", 4);
		return 0;
	case cJSON_Number: {
		char buf[40];
		put(o, buf, format_number(item->valuedouble, buf));
		return 0;
	}
	case cJSON_Raw:
		if (!item->valuestring) {
			errno = EINVAL;
			return -1;
		}
		put(o, item->valuestring, strlen(item->valuestring));
		return 0;
	case cJSON_String:
		put_string(o, item->valuestring);
		return 0;
	case cJSON_Array: {
		size_t n;
		const double *v = cvb_json_numbers(item, &n);

		if (!v)
			return print_children(o, item, depth, false);
		put_char(o, '[');
		for (size_t k = 0; k < n; k++) {
			char buf[40];

			if (k)
				put(o, ", ", 2);
			put(o, buf, format_number(v[k], buf));
			if (++o->items % CHECK_EVERY == 0 && cvb_stop_signal) {
				errno = EINTR;
				return -1;
			}
		}
		put_char(o, ']');
		return 0;
	}
	case cJSON_Object:
		return print_children(o, item, depth, true);
	default:
		errno = EINVAL;
		return -1;
	}
}

/* See json_fast.h. */
char *cvb_json_print(const cJSON *item, size_t *len)
{
	struct out o = {0};

	if (!item) {
		errno = EINVAL;
		return NULL;
	}
	if (print_value(&o, item, 0) < 0 || o.failed || !reserve(&o, 0)) {
		int saved = o.failed ? ENOMEM : errno;

		free(o.s);
		errno = saved;
		return NULL;
	}
	o.s[o.len] = '\0';
	*len = o.len;
	return o.s;
}
