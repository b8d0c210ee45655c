// xml_api: the simulator's XML API (API.md "XML API"), shaped like the Sage Intacct XML gateway:
// one endpoint, POST /ia/xml/xmlgw.phtml, taking a <request> with <control> and <operation>,
// whose <content> holds functions: readByQuery (object, query on WHENMODIFIED, pagesize) and
// readMore (resultId). Answers carry <status>success|failure</status> per function and an
// <errormessage> on failure — "200 with an error in the body", as Intacct does. Serves the same
// Dataset as the OData API; the FaultInjector's faults (500/503, 429 with Retry-After, latency,
// truncation, malformed invoices) apply here too.
//
// Paging is keyset like $skiptoken: a resultId carries the last record's key, so a record changed
// during a read moves to the end and is met there. Owned by tools/erp-sim (Api holds one).
// Thread-safe: handle() may run on several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "tools/erp-sim/dataset.hpp"
#include "tools/erp-sim/faults.hpp"

namespace arsync::sim {

struct ApiRequest;
struct ApiResponse;

inline constexpr std::string_view kXmlGatewayPath = "/ia/xml/xmlgw.phtml";

class XmlApi {
 public:
  // `session`: when not empty, <authentication><sessionid> must equal it.
  XmlApi(Dataset& dataset, FaultInjector& faults, std::string session);
  XmlApi(const XmlApi&) = delete;
  XmlApi& operator=(const XmlApi&) = delete;

  ApiResponse handle(const ApiRequest& request);

 private:
  // Constant after construction
  Dataset& dataset_;
  FaultInjector& faults_;
  const std::string session_;
};

}  // namespace arsync::sim
