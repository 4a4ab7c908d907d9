// libspng from Debian's libspng-dev; pkg-config `spng` supplies the search paths.
#include <spng.h>
