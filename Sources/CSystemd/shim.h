// libsystemd from Debian's libsystemd-dev; pkg-config `libsystemd` supplies the search paths.
// The journal API sends to /run/systemd/journal/socket; sd-daemon is sd_notify and friends.
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
