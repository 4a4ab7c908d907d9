// CV4L2: libv4l2 plus the V4L2 kernel ABI, made callable from Swift.
//
// Swift cannot call C variadic functions nor see function-like macros, so the variadic
// libv4l2 entry points get fixed-argument wrappers and every ioctl request number used by
// Capture is re-exported as a constant.
#ifndef RGI_CV4L2_SHIM_H
#define RGI_CV4L2_SHIM_H

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <linux/videodev2.h>
#include <libv4l2.h>

static inline int rgi_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }
static inline int rgi_v4l2_ioctl(int fd, unsigned long request, void *arg) {
    return v4l2_ioctl(fd, request, arg);
}

static const unsigned long RGI_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long RGI_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long RGI_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long RGI_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long RGI_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long RGI_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long RGI_VIDIOC_G_PARM = VIDIOC_G_PARM;
static const unsigned long RGI_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long RGI_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long RGI_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long RGI_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long RGI_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long RGI_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long RGI_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;
static const unsigned long RGI_VIDIOC_QUERYCTRL = VIDIOC_QUERYCTRL;
static const unsigned long RGI_VIDIOC_G_CTRL = VIDIOC_G_CTRL;
static const unsigned long RGI_VIDIOC_S_CTRL = VIDIOC_S_CTRL;

static const unsigned int RGI_V4L2_CID_EXPOSURE_ABSOLUTE = V4L2_CID_EXPOSURE_ABSOLUTE;
static const unsigned int RGI_V4L2_CID_EXPOSURE_AUTO = V4L2_CID_EXPOSURE_AUTO;
static const unsigned int RGI_V4L2_CID_GAIN = V4L2_CID_GAIN;
static const unsigned int RGI_V4L2_PIX_FMT_GREY = V4L2_PIX_FMT_GREY;
static const unsigned int RGI_V4L2_PIX_FMT_Y16 = V4L2_PIX_FMT_Y16;
static const unsigned int RGI_V4L2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
static const unsigned int RGI_V4L2_PIX_FMT_RGB24 = V4L2_PIX_FMT_RGB24;
static const unsigned int RGI_V4L2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;

#endif
