// ServiceNotify: tells systemd (Type=notify) how the daemon is doing, through libsystemd's
// sd_notify: READY=1 once migrations and config are loaded, STATUS= lines an admin sees in
// `systemctl status`, WATCHDOG=1 from the event loop (so a hung loop gets the service
// restarted), RELOADING=1 / STOPPING=1 around SIGHUP and SIGTERM. Outside systemd
// ($NOTIFY_SOCKET unset) every call is a no-op. Thread-safe (sd_notify is).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace arsync {

class ServiceNotify {
 public:
  void ready(std::string_view status);
  void status(std::string_view status);
  void reloading();
  void stopping(std::string_view status);
  void watchdog();
  // How often to send WATCHDOG=1 (half the unit's WatchdogSec=), or nullopt when not asked.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
};

}  // namespace arsync
