/* xsd.c: a self-contained XML Schema for each message, from its descriptor. */
#include <stdio.h>

#include "codec/msg.h"

static void xsd_type(struct buf *out, const struct msg_desc *d);

/* The xs type of a scalar, or NULL for structured members. */
static const char *xsd_scalar(enum msg_type t)
{
    static const char *const names[] = {
        [MSG_STRING] = "xs:string", [MSG_INT] = "xs:long", [MSG_BOOL] = "xs:boolean",
        [MSG_MONEY] = "dec2", [MSG_POINTS] = "dec2", [MSG_PERCENT] = "dec2", [MSG_QTY] = "dec3",
        [MSG_DATE] = "xs:date", [MSG_DATETIME] = "xs:dateTime",
    };
    return (size_t)t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

static void xsd_field(struct buf *out, const struct msg_field *f)
{
    char tmp[64];
    const char *scalar = xsd_scalar(f->type);
    if (scalar) {
        buf_printf(out, "<xs:element name=\"%s\" type=\"%s\" minOccurs=\"0\"/>", f->name, scalar);
        return;
    }
    buf_printf(out, "<xs:element name=\"%s\" minOccurs=\"0\">", f->name);
    switch (f->type) {
    case MSG_ENUM:
        buf_adds(out, "<xs:simpleType><xs:restriction base=\"xs:string\">");
        for (const char *const *v = f->values; v && *v; v++)
            buf_printf(out, "<xs:enumeration value=\"%s\"/>", *v);
        buf_adds(out, "</xs:restriction></xs:simpleType>");
        break;
    case MSG_OBJECT:
        xsd_type(out, f->sub);
        break;
    case MSG_KV:
        buf_adds(out, "<xs:complexType><xs:sequence><xs:any minOccurs=\"0\" "
                      "maxOccurs=\"unbounded\" processContents=\"skip\"/></xs:sequence>"
                      "</xs:complexType>");
        break;
    case MSG_INTS:
        buf_printf(out, "<xs:complexType><xs:sequence><xs:element name=\"%s\" minOccurs=\"0\" "
                        "maxOccurs=\"unbounded\" type=\"xs:long\"/></xs:sequence></xs:complexType>",
                   codec_item_name(f, tmp, sizeof(tmp)));
        break;
    case MSG_ARRAY:
        buf_printf(out, "<xs:complexType><xs:sequence><xs:element name=\"%s\" minOccurs=\"0\" "
                        "maxOccurs=\"unbounded\"",
                   codec_item_name(f, tmp, sizeof(tmp)));
        if (f->sub) {
            buf_adds(out, ">");
            xsd_type(out, f->sub);
            buf_adds(out, "</xs:element>");
        } else {
            buf_adds(out, " type=\"xs:string\"/>");
        }
        buf_adds(out, "</xs:sequence></xs:complexType>");
        break;
    default:
        break;
    }
    buf_adds(out, "</xs:element>");
}

static void xsd_type(struct buf *out, const struct msg_desc *d)
{
    buf_adds(out, "<xs:complexType><xs:sequence>");
    for (size_t i = 0; i < d->nfields; i++)
        xsd_field(out, &d->fields[i]);
    buf_adds(out, "</xs:sequence></xs:complexType>");
}

static void xsd_open(struct buf *out)
{
    buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                  "elementFormDefault=\"unqualified\">"
                  "<xs:simpleType name=\"dec2\"><xs:restriction base=\"xs:decimal\">"
                  "<xs:fractionDigits value=\"2\"/></xs:restriction></xs:simpleType>"
                  "<xs:simpleType name=\"dec3\"><xs:restriction base=\"xs:decimal\">"
                  "<xs:fractionDigits value=\"3\"/></xs:restriction></xs:simpleType>");
}

void codec_xsd(struct buf *out, const struct msg_desc *d)
{
    xsd_open(out);
    buf_printf(out, "<xs:element name=\"%s\">", d->name);
    xsd_type(out, d);
    buf_adds(out, "</xs:element></xs:schema>\n");
}

void codec_xsd_list(struct buf *out)
{
    xsd_open(out);
    buf_adds(out, "<xs:element name=\"list\"><xs:complexType><xs:sequence>"
                  "<xs:element name=\"items\"><xs:complexType><xs:sequence>"
                  "<xs:element name=\"item\" minOccurs=\"0\" maxOccurs=\"unbounded\">"
                  "<xs:complexType><xs:sequence><xs:any minOccurs=\"0\" maxOccurs=\"unbounded\" "
                  "processContents=\"skip\"/></xs:sequence></xs:complexType></xs:element>"
                  "</xs:sequence></xs:complexType></xs:element>"
                  "<xs:element name=\"next_cursor\" type=\"xs:string\" minOccurs=\"0\"/>"
                  "</xs:sequence></xs:complexType></xs:element></xs:schema>\n");
}
