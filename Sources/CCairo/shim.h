#ifndef CCAIRO_SHIM_H
#define CCAIRO_SHIM_H

// Cairo (vector drawing on pixman) and Pango (text shaping with HarfBuzz, layout, fontconfig fonts) as one
// Clang module for Swift.

#include <cairo.h>
#include <pango/pango.h>
#include <pango/pangocairo.h>
#include <glib-object.h>

/// `PANGO_SCALE`: Pango units per device unit (a macro).
static inline int CCairo_PANGO_SCALE(void) { return PANGO_SCALE; }

#endif
