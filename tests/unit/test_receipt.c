/* test_receipt.c: the pure receipt calculation against hand-computed receipts
 * (API.md §6, PROMOTIONS.md worked receipts without promotions) and its edge cases. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "domain/receipt.h"
#include "domain/split.h"
#include "tests.h"

/* A line given as text, the way a POS sends it. */
struct rt_line {
    const char *sku;
    const char *qty;
    const char *price;
    bool excluded;
};

static struct receipt_rules rt_rules(const char *max_spend_pct)
{
    struct receipt_rules r;
    memset(&r, 0, sizeof(r));
    r.rate.minor = 100;
    dec_parse(max_spend_pct, 2, &r.max_spend_percent.bp);
    return r;
}

static struct receipt_client rt_client(const char *available, const char *discount,
                                       const char *accrual)
{
    struct receipt_client c;
    memset(&c, 0, sizeof(c));
    c.known = true;
    c.can_spend = true;
    c.level_name = "Gold";
    dec_parse(available, 2, &c.available.minor);
    dec_parse(discount, 2, &c.level_discount.bp);
    dec_parse(accrual, 2, &c.level_accrual.bp);
    return c;
}

static void rt_lines(struct receipt_calc *c, struct receipt_line *lines, const struct rt_line *in,
                     size_t n)
{
    memset(lines, 0, sizeof(*lines) * n);
    for (size_t i = 0; i < n; i++) {
        lines[i].line_no = (int64_t)i + 1;
        lines[i].sku = in[i].sku;
        dec_parse(in[i].qty, 3, &lines[i].qty.milli);
        dec_parse(in[i].price, 2, &lines[i].price.minor);
        lines[i].amount.minor = -1;
        lines[i].spend_excluded = in[i].excluded;
    }
    c->lines = lines;
    c->nlines = n;
}

static int64_t rt_m(const char *s)
{
    int64_t v = 0;
    dec_parse(s, 2, &v);
    return v;
}

static const struct rt_line rt_two_lines[] = {
    {"A100", "2", "89.90", false},
    {"T55", "1", "820.20", false},
};

/* API.md §6: Gold, personal discount 5 %, accrual 5 %, balance 1,500, max spend 50 %. */
static void test_receipt_api_example(void)
{
    struct receipt_line lines[2];
    struct receipt_calc c;
    struct receipt_client cl = rt_client("1500", "5", "5");
    struct receipt_rules rules = rt_rules("50");
    memset(&c, 0, sizeof(c));
    rt_lines(&c, lines, rt_two_lines, 2);
    c.client = &cl;
    c.rules = &rules;
    c.points_requested.minor = rt_m("100");
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(c.total.minor, rt_m("1000.00"));
    CU_ASSERT_EQUAL(c.discount.minor, rt_m("50.00"));
    CU_ASSERT_EQUAL(lines[0].discount.minor, rt_m("8.99"));
    CU_ASSERT_EQUAL(lines[1].discount.minor, rt_m("41.01"));
    CU_ASSERT_EQUAL(c.max_spend.minor, rt_m("475.00"));
    CU_ASSERT_EQUAL(lines[0].points_spent.minor, rt_m("17.98"));
    CU_ASSERT_EQUAL(lines[1].points_spent.minor, rt_m("82.02"));
    CU_ASSERT_EQUAL(lines[0].to_pay.minor, rt_m("152.83"));
    CU_ASSERT_EQUAL(lines[1].to_pay.minor, rt_m("697.17"));
    CU_ASSERT_EQUAL(c.to_pay.minor, rt_m("850.00"));
    CU_ASSERT_EQUAL(c.points_accrued.minor, rt_m("42.50"));
    CU_ASSERT_EQUAL(lines[0].points_accrued.minor, rt_m("7.64"));
    CU_ASSERT_EQUAL(lines[1].points_accrued.minor, rt_m("34.86"));
}

/* PROMOTIONS.md receipt 4: max spend 30 %, tobacco excluded, 500 requested, accrual 5 %. */
static void test_receipt_excluded_segment(void)
{
    struct rt_line in[2] = {{"A100", "2", "89.90", false}, {"T55", "1", "820.20", true}};
    struct receipt_line lines[2];
    struct receipt_calc c;
    struct receipt_client cl = rt_client("1000", "0", "5");
    struct receipt_rules rules = rt_rules("30");
    memset(&c, 0, sizeof(c));
    rt_lines(&c, lines, in, 2);
    c.client = &cl;
    c.rules = &rules;
    c.points_requested.minor = rt_m("500");
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(c.max_spend.minor, rt_m("53.94"));
    CU_ASSERT_EQUAL(c.points_spent.minor, rt_m("53.94"));
    CU_ASSERT_EQUAL(lines[0].to_pay.minor, rt_m("125.86"));
    CU_ASSERT_EQUAL(lines[1].to_pay.minor, rt_m("820.20"));
    CU_ASSERT_EQUAL(lines[1].points_spent.minor, 0);
    CU_ASSERT_EQUAL(c.points_accrued.minor, rt_m("47.30"));
    CU_ASSERT_EQUAL(lines[0].points_accrued.minor, rt_m("6.29"));
    CU_ASSERT_EQUAL(lines[1].points_accrued.minor, rt_m("41.01"));
    /* strict: the same request is refused */
    c.strict = true;
    CU_ASSERT_EQUAL(receipt_calculate(&c), RECEIPT_INSUFFICIENT_POINTS);
    CU_ASSERT_STRING_EQUAL(c.error_field, "points_to_spend");
}

/* Accrual is exact per line, summed, rounded once: 4.6119 + 23.3757 = 27.9876 → 27.98. */
static void test_receipt_accrual_rounding(void)
{
    struct rt_line in[2] = {{"A", "1", "153.73", false}, {"B", "1", "779.19", false}};
    struct receipt_line lines[2];
    struct receipt_calc c;
    struct receipt_client cl = rt_client("0", "0", "3");
    struct receipt_rules rules = rt_rules("50");
    memset(&c, 0, sizeof(c));
    rt_lines(&c, lines, in, 2);
    c.client = &cl;
    c.rules = &rules;
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(c.points_accrued.minor, rt_m("27.98"));
    CU_ASSERT_EQUAL(lines[0].points_accrued.minor, rt_m("4.61"));
    CU_ASSERT_EQUAL(lines[1].points_accrued.minor, rt_m("23.37"));
    rules.round_half_up = true;
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(c.points_accrued.minor, rt_m("27.99"));
    CU_ASSERT_EQUAL(lines[0].points_accrued.minor + lines[1].points_accrued.minor, rt_m("27.99"));
}

/* PROMOTIONS.md receipt 3: 300.00 over 1000.00 / 999.99 / 1000.01 → 100.00 each. */
static void test_receipt_largest_remainder(void)
{
    int64_t w[3] = {100000, 99999, 100001}, out[3];
    CU_ASSERT_TRUE(split_largest_remainder(30000, w, 3, out));
    CU_ASSERT_EQUAL(out[0], 10000);
    CU_ASSERT_EQUAL(out[1], 10000);
    CU_ASSERT_EQUAL(out[2], 10000);
    /* ties go to the lower index */
    int64_t eq[3] = {1, 1, 1}, o2[3];
    CU_ASSERT_TRUE(split_largest_remainder(2, eq, 3, o2));
    CU_ASSERT_EQUAL(o2[0], 1);
    CU_ASSERT_EQUAL(o2[1], 1);
    CU_ASSERT_EQUAL(o2[2], 0);
    /* zero weights get nothing; all-zero weights cannot take a positive total */
    int64_t z[3] = {0, 5, 0}, o3[3];
    CU_ASSERT_TRUE(split_largest_remainder(7, z, 3, o3));
    CU_ASSERT_EQUAL(o3[1], 7);
    int64_t zz[2] = {0, 0}, o4[2];
    CU_ASSERT_FALSE(split_largest_remainder(7, zz, 2, o4));
    CU_ASSERT_EQUAL(split_percent_half_up(16191, 500), 810); /* 8.0955 → 8.10 */
}

/* Weight goods, anonymous buyers, inactive cards, minimum receipt and bad lines. */
static void test_receipt_edges(void)
{
    struct rt_line w[1] = {{"CHEESE", "0.375", "1299.90", false}};
    struct receipt_line lines[2];
    struct receipt_calc c;
    struct receipt_client cl = rt_client("1000", "0", "5");
    struct receipt_rules rules = rt_rules("100");
    memset(&c, 0, sizeof(c));
    rt_lines(&c, lines, w, 1);
    c.client = &cl;
    c.rules = &rules;
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(lines[0].amount.minor, rt_m("487.46")); /* 487.4625 half-up */

    /* anonymous: no spending, no accrual */
    struct receipt_client anon;
    memset(&anon, 0, sizeof(anon));
    c.client = &anon;
    c.points_requested.minor = rt_m("10");
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(c.points_spent.minor, 0);
    CU_ASSERT_EQUAL(c.points_accrued.minor, 0);

    /* an inactive card earns but cannot spend */
    cl.can_spend = false;
    c.client = &cl;
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(c.points_spent.minor, 0);
    CU_ASSERT_TRUE(c.points_accrued.minor > 0);
    cl.can_spend = true;

    /* below the minimum receipt nothing may be spent */
    rules.min_receipt_total.minor = rt_m("500");
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(c.max_spend.minor, 0);
    rules.min_receipt_total.minor = 0;

    /* a line amount above qty × price and a repeated line_no are refused */
    struct rt_line two[2] = {{"A", "1", "10", false}, {"B", "1", "10", false}};
    rt_lines(&c, lines, two, 2);
    lines[1].amount.minor = rt_m("10.01");
    CU_ASSERT_EQUAL(receipt_calculate(&c), RECEIPT_INVALID_LINE);
    CU_ASSERT_STRING_EQUAL(c.error_field, "lines.2.amount");
    rt_lines(&c, lines, two, 2);
    lines[1].line_no = 1;
    CU_ASSERT_EQUAL(receipt_calculate(&c), RECEIPT_INVALID_LINE);

    /* a 100 % discount leaves the floor of 0.01 per unit */
    struct receipt_client full = rt_client("0", "100", "0");
    rt_lines(&c, lines, two, 2);
    c.client = &full;
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    CU_ASSERT_EQUAL(lines[0].to_pay.minor, 1);
    CU_ASSERT_EQUAL(c.discount.minor + c.to_pay.minor, c.total.minor);
}

/* Every split adds up: many lines of odd prices, the parts equal the totals. */
static void test_receipt_sums(void)
{
    struct rt_line in[7] = {{"a", "3", "33.33", false},  {"b", "0.125", "99.99", false},
                            {"c", "1", "0.01", false},   {"d", "7", "1.07", true},
                            {"e", "2.5", "17.77", false}, {"f", "1", "1000", false},
                            {"g", "11", "0.99", false}};
    struct receipt_line lines[7];
    struct receipt_calc c;
    struct receipt_client cl = rt_client("12345.67", "3.33", "4.44");
    struct receipt_rules rules = rt_rules("47.5");
    memset(&c, 0, sizeof(c));
    rt_lines(&c, lines, in, 7);
    c.client = &cl;
    c.rules = &rules;
    c.points_requested.minor = rt_m("333.33");
    CU_ASSERT_EQUAL_FATAL(receipt_calculate(&c), RECEIPT_OK);
    int64_t disc = 0, spent = 0, pay = 0, acc = 0, tot = 0;
    for (int i = 0; i < 7; i++) {
        tot += lines[i].amount.minor;
        disc += lines[i].discount.minor;
        spent += lines[i].points_spent.minor;
        pay += lines[i].to_pay.minor;
        acc += lines[i].points_accrued.minor;
        CU_ASSERT_EQUAL(lines[i].to_pay.minor,
                        lines[i].amount.minor - lines[i].discount.minor - lines[i].points_spent.minor);
    }
    CU_ASSERT_EQUAL(lines[3].points_spent.minor, 0);
    CU_ASSERT_EQUAL(tot, c.total.minor);
    CU_ASSERT_EQUAL(disc, c.discount.minor);
    CU_ASSERT_EQUAL(spent, c.points_spent.minor);
    CU_ASSERT_EQUAL(spent, rt_m("333.33"));
    CU_ASSERT_EQUAL(pay, c.to_pay.minor);
    CU_ASSERT_EQUAL(acc, c.points_accrued.minor);
}

int test_receipt_register(void)
{
    CU_pSuite s = CU_add_suite("receipt", NULL, NULL);
    if (!s)
        return -1;
    if (!CU_add_test(s, "API.md example", test_receipt_api_example) ||
        !CU_add_test(s, "excluded segment and strict", test_receipt_excluded_segment) ||
        !CU_add_test(s, "accrual rounding", test_receipt_accrual_rounding) ||
        !CU_add_test(s, "largest remainder", test_receipt_largest_remainder) ||
        !CU_add_test(s, "edges", test_receipt_edges) ||
        !CU_add_test(s, "sums", test_receipt_sums))
        return -1;
    return 0;
}
