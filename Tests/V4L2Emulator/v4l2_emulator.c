// v4l2_emulator.c: an LD_PRELOAD shim that plays one V4L2 capture device at the syscall
// boundary, so the real libv4l2/libv4lconvert code and the real Capture code run unchanged on
// a machine without media drivers.
//
// Why these symbols: libv4l2 and libv4lconvert never call libc's open/ioctl/mmap; they issue
// `syscall(SYS_openat | SYS_ioctl | SYS_close | SYS_mmap, ...)` (libv4lsyscall-priv.h), so the
// shim interposes `syscall`. Capture's own code waits with libc `poll`, so that is interposed
// too. libc open/openat/ioctl/close are covered as well for tools that use them directly
// (v4l2-ctl without libv4l2).
//
// The device's file descriptor is a real memfd: the capture buffers live in it, so mmap of the
// device fd is the kernel's own mmap and needs no emulation.
//
// Configuration (environment, read once at load):
//   RGI_EMU_DEVICE   path that opens the emulated device (required, e.g. /dev/video42)
//   RGI_EMU_FORMAT   GREY | Y16 | YUYV | RGB3 | MJPG (the one native format)
//   RGI_EMU_SIZE     WIDTHxHEIGHT (the one frame size)
//   RGI_EMU_FPS      nominal frame rate reported by G_PARM / ENUM_FRAMEINTERVALS (default 30)
//   RGI_EMU_PACE=1   deliver frames at that rate, like a camera (default: as fast as asked)
//   RGI_EMU_PAD      bytes of padding after each row of an uncompressed format (bytesperline
//                    exceeds width × bytes per pixel, as many drivers align rows)
//   RGI_EMU_FRAMES   folder of payload files, served in name order, frame n = file n mod count
//                    (raw bytes in the native format; JPEG files for MJPG)
//   RGI_EMU_ABSENT_MS  the device is missing (ENOENT) for this long after load
//   RGI_EMU_NO_CONTROLS=1  the device exposes no exposure/gain controls
//   RGI_EMU_FAULTS   comma-separated events keyed by n, the count of frames delivered since
//                    load (across reconnects), each firing once, before frame n:
//                      gap@N:K      the sequence number jumps by K (K frames lost upstream)
//                      unplug@N:MS  the device disappears: DQBUF/ioctl ENODEV, poll POLLERR|
//                                   POLLHUP, open ENOENT for MS ms, then it is back (sequence 0)
//                      eio@N        one DQBUF fails with EIO (the device stays)
//                      stall@N:MS   no frame for MS ms (poll times out, DQBUF EAGAIN)
//                      eagain@N:K   poll says ready but the next K DQBUFs return EAGAIN
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_BUFFERS 32
#define MAX_FAULTS 64
#define MAX_DEAD_FDS 16

enum fault_kind { FAULT_GAP, FAULT_UNPLUG, FAULT_EIO, FAULT_STALL, FAULT_EAGAIN };
struct fault { enum fault_kind kind; uint64_t at; long arg; int fired; };

static struct {
    pthread_mutex_t lock;
    int enabled;
    char path[4096];
    uint32_t fourcc, width, height, fps;
    int paced;
    uint32_t pad;
    double next_due;           // paced: monotonic seconds when the next frame exists
    uint8_t **payload;
    size_t *payload_len, max_payload;
    int payload_count;
    struct fault faults[MAX_FAULTS];
    int fault_count;
    int controls;
    int32_t exposure, gain;

    double absent_until;       // monotonic seconds; open fails with ENOENT before this
    int fd;                    // the open device (a memfd), -1 when closed
    int dead[MAX_DEAD_FDS];    // fds of an unplugged device: everything but close fails
    int dead_count;

    int streaming;
    uint32_t buffers;
    size_t buffer_size;
    uint8_t *memory;           // the shim's own view of the memfd
    int held[MAX_BUFFERS];     // payload index each buffer holds (skips identical copies)
    uint32_t queue[MAX_BUFFERS];
    uint32_t queued;
    uint32_t sequence;
    uint64_t delivered;
    double stall_until;
    long eagain_left;
} emu = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static long (*real_syscall)(long, ...);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_close)(int);

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_names(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int regular_file(const struct dirent *entry) { return entry->d_name[0] != '.'; }

static void load_payloads(const char *folder) {
    struct dirent **names;
    int count = scandir(folder, &names, regular_file, compare_names);
    if (count <= 0) return;
    emu.payload = calloc((size_t)count, sizeof(uint8_t *));
    emu.payload_len = calloc((size_t)count, sizeof(size_t));
    for (int i = 0; i < count; i++) {
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", folder, names[i]->d_name);
        FILE *f = fopen(file, "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            long length = ftell(f);
            fseek(f, 0, SEEK_SET);
            uint8_t *bytes = malloc((size_t)length);
            if (fread(bytes, 1, (size_t)length, f) == (size_t)length) {
                emu.payload[emu.payload_count] = bytes;
                emu.payload_len[emu.payload_count++] = (size_t)length;
                if ((size_t)length > emu.max_payload) emu.max_payload = (size_t)length;
            } else {
                free(bytes);
            }
            fclose(f);
        }
        free(names[i]);
    }
    free(names);
}

static void parse_faults(const char *text) {
    char *copy = strdup(text), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item && emu.fault_count < MAX_FAULTS;
         item = strtok_r(NULL, ",", &save)) {
        char name[16] = {0};
        unsigned long long at = 0;
        long arg = 0;
        if (sscanf(item, "%15[a-z]@%llu:%ld", name, &at, &arg) < 2) continue;
        struct fault *f = &emu.faults[emu.fault_count];
        if (!strcmp(name, "gap")) f->kind = FAULT_GAP;
        else if (!strcmp(name, "unplug")) f->kind = FAULT_UNPLUG;
        else if (!strcmp(name, "eio")) f->kind = FAULT_EIO;
        else if (!strcmp(name, "stall")) f->kind = FAULT_STALL;
        else if (!strcmp(name, "eagain")) f->kind = FAULT_EAGAIN;
        else continue;
        f->at = at;
        f->arg = arg;
        emu.fault_count++;
    }
    free(copy);
}

// The runtime may call syscall/open/poll before constructors run, so every entry point
// resolves the next definitions itself (idempotent; a race stores the same values).
static void resolve(void) {
    if (real_syscall) return;
    real_poll = (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT, "poll");
    real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
}

__attribute__((constructor)) static void emulator_init(void) {
    resolve();
    const char *path = getenv("RGI_EMU_DEVICE");
    if (!path || !*path) return;
    snprintf(emu.path, sizeof emu.path, "%s", path);
    const char *format = getenv("RGI_EMU_FORMAT");
    if (!format || strlen(format) != 4) format = "GREY";
    emu.fourcc = v4l2_fourcc(format[0], format[1], format[2], format[3]);
    emu.width = 640;
    emu.height = 480;
    const char *size = getenv("RGI_EMU_SIZE");
    if (size) sscanf(size, "%ux%u", &emu.width, &emu.height);
    emu.fps = 30;
    const char *fps = getenv("RGI_EMU_FPS");
    if (fps && atoi(fps) > 0) emu.fps = (uint32_t)atoi(fps);
    const char *pad = getenv("RGI_EMU_PAD");
    if (pad) emu.pad = (uint32_t)atoi(pad);
    const char *pace = getenv("RGI_EMU_PACE");
    emu.paced = pace && !strcmp(pace, "1");
    const char *frames = getenv("RGI_EMU_FRAMES");
    if (frames) load_payloads(frames);
    const char *absent = getenv("RGI_EMU_ABSENT_MS");
    emu.absent_until = now_seconds() + (absent ? atof(absent) / 1000.0 : 0);
    const char *faults = getenv("RGI_EMU_FAULTS");
    if (faults) parse_faults(faults);
    const char *no_controls = getenv("RGI_EMU_NO_CONTROLS");
    emu.controls = !(no_controls && !strcmp(no_controls, "1"));
    emu.exposure = 100;
    emu.gain = 0;
    emu.enabled = 1;
}

// MARK: - format

static uint32_t bytes_per_line(void) {
    switch (emu.fourcc) {
    case V4L2_PIX_FMT_GREY: return emu.width + emu.pad;
    case V4L2_PIX_FMT_Y16:
    case V4L2_PIX_FMT_YUYV: return emu.width * 2 + emu.pad;
    case V4L2_PIX_FMT_RGB24: return emu.width * 3 + emu.pad;
    default: return 0;  // compressed
    }
}

static uint32_t size_image(void) {
    uint32_t line = bytes_per_line();
    if (line) return line * emu.height;
    uint32_t worst = emu.width * emu.height * 3;  // an MJPEG frame never exceeds raw RGB
    return emu.max_payload > worst ? (uint32_t)emu.max_payload : worst;
}

static void fill_format(struct v4l2_format *format) {
    memset(&format->fmt, 0, sizeof format->fmt);
    format->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    format->fmt.pix.width = emu.width;
    format->fmt.pix.height = emu.height;
    format->fmt.pix.pixelformat = emu.fourcc;
    format->fmt.pix.field = V4L2_FIELD_NONE;
    format->fmt.pix.bytesperline = bytes_per_line();
    format->fmt.pix.sizeimage = size_image();
    format->fmt.pix.colorspace = emu.fourcc == V4L2_PIX_FMT_MJPEG ? V4L2_COLORSPACE_JPEG
                                                                   : V4L2_COLORSPACE_SRGB;
}

// Two discrete rates: the nominal one and half of it, so probing lists more than one.
static uint32_t rate_at(uint32_t index) {
    if (index == 0) return emu.fps;
    if (index == 1 && emu.fps >= 2) return emu.fps / 2;
    return 0;
}

// MARK: - controls

static int control_range(uint32_t id, int32_t *min, int32_t *max, int32_t *def, const char **name) {
    if (!emu.controls) return 0;
    if (id == V4L2_CID_GAIN) { *min = 0; *max = 255; *def = 0; *name = "Gain"; return 1; }
    if (id == V4L2_CID_EXPOSURE_ABSOLUTE) {
        *min = 1; *max = 10000; *def = 100; *name = "Exposure Time, Absolute"; return 1;
    }
    return 0;
}

static int query_control(struct v4l2_queryctrl *query) {
    static const uint32_t ids[] = { V4L2_CID_GAIN, V4L2_CID_EXPOSURE_ABSOLUTE };  // id order
    uint32_t id = query->id;
    if (id & V4L2_CTRL_FLAG_NEXT_CTRL) {
        uint32_t after = id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
        id = 0;
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            if (ids[i] > after && emu.controls) { id = ids[i]; break; }
        if (!id) { errno = EINVAL; return -1; }
    }
    int32_t min, max, def;
    const char *name;
    if (!control_range(id, &min, &max, &def, &name)) { errno = EINVAL; return -1; }
    memset(query, 0, sizeof *query);
    query->id = id;
    query->type = V4L2_CTRL_TYPE_INTEGER;
    snprintf((char *)query->name, sizeof query->name, "%s", name);
    query->minimum = min;
    query->maximum = max;
    query->step = 1;
    query->default_value = def;
    return 0;
}

static int32_t *control_value(uint32_t id) {
    if (!emu.controls) return NULL;
    if (id == V4L2_CID_GAIN) return &emu.gain;
    if (id == V4L2_CID_EXPOSURE_ABSOLUTE) return &emu.exposure;
    return NULL;
}

// MARK: - buffers

static void free_buffers(void) {
    if (emu.memory) munmap(emu.memory, emu.buffers * emu.buffer_size);
    emu.memory = NULL;
    emu.buffers = 0;
    emu.queued = 0;
}

static int request_buffers(struct v4l2_requestbuffers *request) {
    if (request->memory != V4L2_MEMORY_MMAP) { errno = EINVAL; return -1; }
    if (emu.streaming) { errno = EBUSY; return -1; }
    free_buffers();
    if (request->count == 0) return 0;
    uint32_t count = request->count < 2 ? 2 : request->count;
    if (count > MAX_BUFFERS) count = MAX_BUFFERS;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    emu.buffer_size = (size_image() + page - 1) / page * page;
    if (ftruncate(emu.fd, (off_t)(count * emu.buffer_size)) != 0) return -1;
    emu.memory = mmap(NULL, count * emu.buffer_size, PROT_READ | PROT_WRITE, MAP_SHARED, emu.fd, 0);
    if (emu.memory == MAP_FAILED) { emu.memory = NULL; errno = ENOMEM; return -1; }
    emu.buffers = count;
    for (uint32_t i = 0; i < count; i++) emu.held[i] = -1;
    request->count = count;
    request->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
    return 0;
}

static int is_queued(uint32_t index) {
    for (uint32_t i = 0; i < emu.queued; i++)
        if (emu.queue[i] == index) return 1;
    return 0;
}

static void describe_buffer(struct v4l2_buffer *buffer, uint32_t index) {
    buffer->index = index;
    buffer->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buffer->memory = V4L2_MEMORY_MMAP;
    buffer->m.offset = (uint32_t)(index * emu.buffer_size);
    buffer->length = (uint32_t)emu.buffer_size;
    buffer->field = V4L2_FIELD_NONE;
    buffer->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC |
                    (is_queued(index) ? V4L2_BUF_FLAG_QUEUED : 0);
}

static int unplugged(int fd) {
    for (int i = 0; i < emu.dead_count; i++)
        if (emu.dead[i] == fd) return 1;
    return 0;
}

// Runs the fault schedule for the next frame; returns an errno to fail DQBUF with, or 0.
static int due_fault(void) {
    for (int i = 0; i < emu.fault_count; i++) {
        struct fault *f = &emu.faults[i];
        if (f->fired || f->at != emu.delivered) continue;
        f->fired = 1;
        switch (f->kind) {
        case FAULT_GAP: emu.sequence += (uint32_t)f->arg; break;
        case FAULT_EAGAIN: emu.eagain_left = f->arg; break;
        case FAULT_STALL: emu.stall_until = now_seconds() + (double)f->arg / 1000.0; break;
        case FAULT_EIO: return EIO;
        case FAULT_UNPLUG:
            if (emu.dead_count < MAX_DEAD_FDS) emu.dead[emu.dead_count++] = emu.fd;
            emu.absent_until = now_seconds() + (double)f->arg / 1000.0;
            free_buffers();
            emu.streaming = 0;
            emu.fd = -1;
            return ENODEV;
        }
    }
    return 0;
}

static int dequeue(struct v4l2_buffer *buffer) {
    if (!emu.streaming) { errno = EINVAL; return -1; }
    int fault = due_fault();
    if (fault) { errno = fault; return -1; }
    if (emu.stall_until > now_seconds()) { errno = EAGAIN; return -1; }
    if (emu.paced && emu.next_due > now_seconds()) { errno = EAGAIN; return -1; }
    if (emu.eagain_left > 0) { emu.eagain_left--; errno = EAGAIN; return -1; }
    if (emu.queued == 0) { errno = EAGAIN; return -1; }
    uint32_t index = emu.queue[0];
    memmove(emu.queue, emu.queue + 1, (emu.queued - 1) * sizeof emu.queue[0]);
    emu.queued--;
    size_t length = 0;
    if (emu.payload_count > 0) {
        int which = (int)(emu.delivered % (uint64_t)emu.payload_count);
        length = emu.payload_len[which];
        if (length > emu.buffer_size) length = emu.buffer_size;
        if (emu.held[index] != which) {
            memcpy(emu.memory + index * emu.buffer_size, emu.payload[which], length);
            emu.held[index] = which;
        }
    }
    describe_buffer(buffer, index);
    buffer->flags |= V4L2_BUF_FLAG_DONE;
    buffer->bytesused = (uint32_t)length;
    buffer->sequence = emu.sequence++;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    buffer->timestamp.tv_sec = ts.tv_sec;
    buffer->timestamp.tv_usec = ts.tv_nsec / 1000;
    emu.delivered++;
    if (emu.paced) {
        double now = now_seconds(), period = 1.0 / emu.fps;
        // Catch up after a pause instead of bursting, as a free-running sensor would.
        emu.next_due = emu.next_due + period > now ? emu.next_due + period : now + period;
    }
    return 0;
}

// MARK: - ioctl

static int device_ioctl(int fd, unsigned long request, void *arg) {
    if (unplugged(fd)) { errno = ENODEV; return -1; }
    switch (request) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *cap = arg;
        memset(cap, 0, sizeof *cap);
        snprintf((char *)cap->driver, sizeof cap->driver, "rgi-emu");
        snprintf((char *)cap->card, sizeof cap->card, "RGI emulated camera");
        snprintf((char *)cap->bus_info, sizeof cap->bus_info, "platform:rgi-emu");
        cap->version = (6 << 16) | (1 << 8);
        cap->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *desc = arg;
        if (desc->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || desc->index != 0) { errno = EINVAL; return -1; }
        desc->pixelformat = emu.fourcc;
        desc->flags = emu.fourcc == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED : 0;
        snprintf((char *)desc->description, sizeof desc->description, "%.4s",
                 (const char *)&emu.fourcc);
        return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *size = arg;
        if (size->index != 0 || size->pixel_format != emu.fourcc) { errno = EINVAL; return -1; }
        size->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        size->discrete.width = emu.width;
        size->discrete.height = emu.height;
        return 0;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *interval = arg;
        uint32_t rate = rate_at(interval->index);
        if (!rate || interval->pixel_format != emu.fourcc || interval->width != emu.width ||
            interval->height != emu.height) { errno = EINVAL; return -1; }
        interval->type = V4L2_FRMIVAL_TYPE_DISCRETE;
        interval->discrete.numerator = 1;
        interval->discrete.denominator = rate;
        return 0;
    }
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT: {
        struct v4l2_format *format = arg;
        if (format->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) { errno = EINVAL; return -1; }
        if (request == VIDIOC_S_FMT && emu.buffers) { errno = EBUSY; return -1; }
        fill_format(format);  // one mode: every request is adjusted to it, as drivers do
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *parm = arg;
        if (parm->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) { errno = EINVAL; return -1; }
        uint32_t rate = emu.fps;
        if (request == VIDIOC_S_PARM && parm->parm.capture.timeperframe.numerator &&
            rate_at(1) && parm->parm.capture.timeperframe.denominator /
                    parm->parm.capture.timeperframe.numerator <= rate_at(1))
            rate = rate_at(1);
        memset(&parm->parm, 0, sizeof parm->parm);
        parm->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        parm->parm.capture.timeperframe.numerator = 1;
        parm->parm.capture.timeperframe.denominator = rate;
        return 0;
    }
    case VIDIOC_QUERYCTRL: return query_control(arg);
    case VIDIOC_G_CTRL:
    case VIDIOC_S_CTRL: {
        struct v4l2_control *control = arg;
        int32_t *value = control_value(control->id);
        int32_t min, max, def;
        const char *name;
        if (!value || !control_range(control->id, &min, &max, &def, &name)) { errno = EINVAL; return -1; }
        if (request == VIDIOC_G_CTRL) { control->value = *value; return 0; }
        if (control->value < min || control->value > max) { errno = ERANGE; return -1; }
        *value = control->value;
        return 0;
    }
    case VIDIOC_REQBUFS: return request_buffers(arg);
    case VIDIOC_QUERYBUF: {
        struct v4l2_buffer *buffer = arg;
        if (buffer->index >= emu.buffers) { errno = EINVAL; return -1; }
        describe_buffer(buffer, buffer->index);
        return 0;
    }
    case VIDIOC_QBUF: {
        struct v4l2_buffer *buffer = arg;
        if (buffer->index >= emu.buffers || is_queued(buffer->index)) { errno = EINVAL; return -1; }
        emu.queue[emu.queued++] = buffer->index;
        describe_buffer(buffer, buffer->index);
        return 0;
    }
    case VIDIOC_DQBUF: return dequeue(arg);
    case VIDIOC_STREAMON:
        if (!emu.buffers) { errno = EINVAL; return -1; }
        emu.streaming = 1;
        emu.sequence = 0;
        emu.next_due = now_seconds();
        return 0;
    case VIDIOC_STREAMOFF:
        emu.streaming = 0;
        emu.queued = 0;
        return 0;
    default: errno = ENOTTY; return -1;
    }
}

// MARK: - open / close

static int is_device_path(const char *path) {
    return emu.enabled && path && !strcmp(path, emu.path);
}

static int device_open(void) {
    if (now_seconds() < emu.absent_until) { errno = ENOENT; return -1; }
    if (emu.fd >= 0) { errno = EBUSY; return -1; }
    int fd = memfd_create("rgi-v4l2-emulator", MFD_CLOEXEC);
    if (fd < 0) return -1;
    emu.fd = fd;
    emu.streaming = 0;
    emu.buffers = 0;
    emu.queued = 0;
    emu.memory = NULL;
    return fd;
}

// Returns 1 when fd belonged to the device (its state is released; the caller still closes it).
static int device_forget(int fd) {
    for (int i = 0; i < emu.dead_count; i++)
        if (emu.dead[i] == fd) { emu.dead[i] = emu.dead[--emu.dead_count]; return 1; }
    if (fd != emu.fd || fd < 0) return 0;
    free_buffers();
    emu.streaming = 0;
    emu.fd = -1;
    return 1;
}

static int owns(int fd) { return emu.enabled && fd >= 0 && (fd == emu.fd || unplugged(fd)); }

// MARK: - interposed entry points

long syscall(long number, ...) {
    resolve();
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    if (emu.enabled) {
        if (number == SYS_openat && is_device_path((const char *)a[1])) {
            pthread_mutex_lock(&emu.lock);
            int fd = device_open();
            pthread_mutex_unlock(&emu.lock);
            return fd;
        }
        if (number == SYS_open && is_device_path((const char *)a[0])) {
            pthread_mutex_lock(&emu.lock);
            int fd = device_open();
            pthread_mutex_unlock(&emu.lock);
            return fd;
        }
        if (number == SYS_ioctl && owns((int)a[0])) {
            pthread_mutex_lock(&emu.lock);
            int result = device_ioctl((int)a[0], (unsigned long)a[1], (void *)a[2]);
            pthread_mutex_unlock(&emu.lock);
            return result;
        }
        if (number == SYS_close) {
            pthread_mutex_lock(&emu.lock);
            device_forget((int)a[0]);
            pthread_mutex_unlock(&emu.lock);
        }
    }
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int open(const char *path, int flags, ...) {
    resolve();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_device_path(path)) {
        pthread_mutex_lock(&emu.lock);
        int fd = device_open();
        pthread_mutex_unlock(&emu.lock);
        return fd;
    }
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...) {
    resolve();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_device_path(path)) return open(path, flags);
    return real_openat(dirfd, path, flags, mode);
}

int ioctl(int fd, unsigned long request, ...) {
    resolve();
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (owns(fd)) {
        pthread_mutex_lock(&emu.lock);
        int result = device_ioctl(fd, request, arg);
        pthread_mutex_unlock(&emu.lock);
        return result;
    }
    return real_ioctl(fd, request, arg);
}

int close(int fd) {
    resolve();
    if (emu.enabled) {
        pthread_mutex_lock(&emu.lock);
        device_forget(fd);
        pthread_mutex_unlock(&emu.lock);
    }
    return real_close(fd);
}

// Readiness of the device fd; *stall_left gets how long until a frame can exist (stall, pacing).
static short device_events(int fd, double *stall_left) {
    *stall_left = 0;
    if (unplugged(fd)) return POLLERR | POLLHUP;
    if (!emu.streaming) return POLLERR;
    for (int i = 0; i < emu.fault_count; i++) {  // a stall due now starts before the frame
        struct fault *f = &emu.faults[i];
        if (!f->fired && f->kind == FAULT_STALL && f->at == emu.delivered) {
            f->fired = 1;
            emu.stall_until = now_seconds() + (double)f->arg / 1000.0;
        }
        if (!f->fired && f->kind == FAULT_UNPLUG && f->at == emu.delivered) return POLLIN;
    }
    double now = now_seconds();
    double left = emu.stall_until - now;
    if (emu.paced && emu.next_due - now > left) left = emu.next_due - now;
    if (left > 0) { *stall_left = left; return 0; }
    return emu.queued ? (POLLIN | POLLRDNORM) : 0;
}

int poll(struct pollfd *fds, nfds_t count, int timeout) {
    resolve();
    if (!emu.enabled) return real_poll(fds, count, timeout);
    int device = -1;
    for (nfds_t i = 0; i < count; i++)
        if (owns(fds[i].fd)) device = (int)i;
    if (device < 0) return real_poll(fds, count, timeout);
    double deadline = now_seconds() + (timeout < 0 ? 1e9 : timeout / 1000.0);
    for (;;) {
        double stall_left;
        pthread_mutex_lock(&emu.lock);
        short events = device_events(fds[device].fd, &stall_left);
        pthread_mutex_unlock(&emu.lock);
        int ready = 0;
        for (nfds_t i = 0; i < count; i++) {
            if ((int)i == device) {
                fds[i].revents = events & (fds[i].events | POLLERR | POLLHUP);
            } else {
                struct pollfd other = fds[i];
                fds[i].revents = real_poll(&other, 1, 0) > 0 ? other.revents : 0;
            }
            if (fds[i].revents) ready++;
        }
        double left = deadline - now_seconds();
        if (ready || left <= 0) return ready;
        // Nothing ready: a stall or an empty queue. Sleep the stall out or until the timeout.
        double nap = stall_left > 0 && stall_left < left ? stall_left : left;
        if (nap > 0.005 && stall_left <= 0) nap = 0.005;  // queue may fill from another thread
        struct timespec ts = { (time_t)nap, (long)((nap - (double)(time_t)nap) * 1e9) };
        nanosleep(&ts, NULL);
    }
}
