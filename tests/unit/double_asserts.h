/* Assertions on doubles for the statistics tests. Include after cmocka.h. */
#ifndef CVB_TEST_DOUBLE_ASSERTS_H
#define CVB_TEST_DOUBLE_ASSERTS_H

#include <math.h>
#include <string.h>

/* cmocka 1.1.5's assert_float_equal casts to float; this keeps doubles. */
#define assert_near(actual, expected, tol)                                                         \
	do {                                                                                       \
		double act_ = (actual), exp_ = (expected);                                         \
		if (!(fabs(act_ - exp_) <= (tol)))                                                 \
			fail_msg("%s = %.17g, expected %.17g (tol %g)", #actual, act_, exp_,       \
			         (double)(tol));                                                   \
	} while (0)

/* Bitwise equality: reproducibility means the very same doubles. */
#define assert_same_double(a, b)                                                                   \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (memcmp(&a_, &b_, sizeof(a_)) != 0)                                             \
			fail_msg("%s = %.17g differs from %s = %.17g", #a, a_, #b, b_);            \
	} while (0)

#endif
