// HttpTransport: one HTTP/1.1 client connection a connector sends its requests through, built
// on Boost.Beast (connectors/http_transport.cpp is the only translation unit that includes
// Beast, to keep builds fast). The interface is defined once, in the public connector SDK
// (connectors/include/arsync/http.hpp), since plugins receive it through their context.
#pragma once

#include <arsync/http.hpp>
