// The same dumper compiled as C++20: a C++ compiler must see exactly the layout a C compiler sees.
#include "layout_dump.c"
