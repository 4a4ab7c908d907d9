// TurboJPEG API of libjpeg-turbo from Debian's libturbojpeg0-dev (pkg-config `libturbojpeg`).
#include <turbojpeg.h>
