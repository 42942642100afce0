// ncursesw for Swift. SwiftPM drops ncursesw's pkg-config -D flags, so the wide-character API is
// switched on here; C globals and function-like macros that Swift 6 cannot use are wrapped.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncurses.h>

static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline int cnc_key_resize(void) { return KEY_RESIZE; }
/// Sets the attributes and an extended colour pair (pairs above 255 only work through the pointer).
static inline int cnc_set_attributes(attr_t attributes, int pair) { return wattr_set(stdscr, attributes, 0, &pair); }
