/*
 * xmlesc — the one XML escaper (KML export, the PNG's .aux.xml sidecar).
 *
 * Invariants: the five XML specials become entities (&amp; &lt; &gt; &quot;
 * &#39;), so the text is safe in element content and in either kind of
 * quoted attribute; control characters XML 1.0 forbids (below 0x20 other
 * than tab, LF and CR) become spaces, so the document stays well-formed
 * whatever a file's text holds. Bytes from 0x80 up pass unchanged (UTF-8 in,
 * UTF-8 out).
 */
#ifndef SATMARK_XMLESC_H
#define SATMARK_XMLESC_H

#include <stdbool.h>

#include "dynbuf.h"

enum xmlesc_mode {
    XMLESC_TEXT, /* XML text or attribute value */
    XMLESC_HTML, /* HTML text bound for a CDATA section: also newline -> <br/> */
};

/* Appends s (borrowed) escaped to out; false when out has failed (sticky). */
bool xmlesc_append(struct dynbuf *out, const char *s, enum xmlesc_mode mode);

#endif
