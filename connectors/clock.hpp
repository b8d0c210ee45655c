// Clock: the time source a connector waits on (injected; tests use a fake). Defined once, in
// the public connector SDK (connectors/include/arsync/clock.hpp).
#pragma once

#include <arsync/clock.hpp>
