#include "daemon/service_notify.hpp"

#include <systemd/sd-daemon.h>

#include <string>

namespace arsync {

void ServiceNotify::ready(std::string_view status) {
  sd_notify(0, ("READY=1\nSTATUS=" + std::string(status)).c_str());
}

void ServiceNotify::status(std::string_view status) {
  sd_notify(0, ("STATUS=" + std::string(status)).c_str());
}

void ServiceNotify::reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading config and mappings"); }

void ServiceNotify::stopping(std::string_view status) {
  sd_notify(0, ("STOPPING=1\nSTATUS=" + std::string(status)).c_str());
}

void ServiceNotify::watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> ServiceNotify::watchdog_interval() const {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds{usec / 2};
}

}  // namespace arsync
