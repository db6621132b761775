/* compare: is a JSON document the same as an XML document under API.md §3? */
#ifndef IT_COMPARE_H
#define IT_COMPARE_H

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

/* The XML item name of a JSON array member (§3: lines/line, slip/text, other xs → x). */
const char *jx_singular(const char *plural, char *tmp, size_t n);

/* Compare a JSON object with the children of an XML element: members ↔ child elements in
 * the same order, null ↔ absent, arrays ↔ container of singular items, scalars as text.
 * On a difference, why gets the path and what differs. */
bool jx_equal_node(json_object *j, xmlNode *x, char *why, size_t n);

/* Whole documents: the JSON resource (or {"error":{…}} for errors) against the XML
 * document whose root is `root` (NULL: any root). */
bool jx_equal_doc(json_object *j, xmlDoc *doc, const char *root, char *why, size_t n);

/* Every JSON number at these dotted paths is written with exactly two fraction digits. */
bool jx_two_decimals(json_object *j, const char *const *paths, char *why, size_t n);

/* Equal JSON values, ignoring the members named in `skip` (NULL-terminated) anywhere. */
bool jx_json_equal(json_object *a, json_object *b, const char *const *skip, char *why,
                   size_t n);

#endif
