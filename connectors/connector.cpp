#include "connectors/connector.hpp"

namespace arsync {

PushResult Connector::push(const PushRequest& request) {
  return {PushStatus::kReject, "", "this connector cannot write to its ERP (item kind " + request.kind + ")", {}};
}

void Connector::committed(const std::string&) {}
std::size_t Connector::max_ids_per_pull(const std::string&) const { return 0; }

}  // namespace arsync
