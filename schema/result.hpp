// Result<T>: how every expected failure in arsync travels — as a value, never an exception.
// Defined once, in the public connector SDK (connectors/include/arsync/result.hpp), so that
// plugins and the core share one Error type.
#pragma once

#include <arsync/result.hpp>
