// Record: one ERP record as a format-neutral tree, the value that flows from a connector to
// the mapping layer. Defined once, in the public connector SDK
// (connectors/include/arsync/record.hpp), so that plugins and the core share one type.
#pragma once

#include <arsync/record.hpp>
