#include "connectors/connector.hpp"

namespace arsync {

PushResult Connector::push(const PushRequest& request) {
  return {PushStatus::kReject, "", "this connector cannot write to its ERP (item kind " + request.kind + ")", {}};
}

void Connector::committed(const std::string&) {}

}  // namespace arsync
