// The CAF test framework's non-inline definitions and main(), compiled once
// and linked into every test executable.
#include "caf/test/unit_test.hpp"

#include "caf/test/unit_test_impl.hpp"
