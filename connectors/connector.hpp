// Connector: how arsync talks to one ERP (DESIGN §6). The interface is defined once, in the
// public connector SDK (connectors/include/arsync/connector.hpp), which built-in connectors and
// plugins share; read it there.
#pragma once

#include <arsync/connector.hpp>
