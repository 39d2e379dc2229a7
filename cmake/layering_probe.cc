// Compiled by the layering tests: allowed from engine's include view, refused from page's.
#include "engine/parser.h"
