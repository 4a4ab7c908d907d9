// Debian's libopenblas-dev puts cblas.h under the pthread variant's include folder,
// which pkg-config adds to the search path.
#include <cblas.h>
