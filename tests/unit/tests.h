/* tests.h: the suites of the unit test program (tests/unit/main.c registers them all).
 * Each *_register() adds its suite to the CUnit registry; 0 on success, -1 on error. */
#ifndef LOYALTY_UNIT_TESTS_H
#define LOYALTY_UNIT_TESTS_H

int test_decimal_register(void);    /* test_decimal.c: exact decimals, qty × price */
int test_phone_register(void);      /* test_phone.c: E.164 normalisation, masking */
int test_cardno_register(void);     /* test_cardno.c: card syntax, EAN-13, Luhn */
int test_time_register(void);       /* test_time.c: dates and RFC 3339 date-times */
int test_buf_register(void);        /* test_buf.c: buf escapes, arena */
int test_utf8_register(void);       /* test_utf8.c: strict UTF-8 validation */
int test_codec_json_register(void); /* test_codec_json.c: JSON decoding and encoding */
int test_codec_xml_register(void);  /* test_codec_xml.c: XML decoding and encoding, XXE */
int test_codec_xsd_register(void);  /* test_codec_xsd.c: generated XSDs validate the output */
int test_router_register(void);     /* test_router.c: route matching, scopes */
int test_receipt_register(void);    /* test_receipt.c: the pure receipt calculation */
int test_accept_register(void);     /* test_accept.c: response format from Accept */
int test_context_register(void);    /* test_context.c: the cached calculation context's text */
int test_selfconnect_register(void); /* test_selfconnect.c: a socket connected to itself */

#endif
