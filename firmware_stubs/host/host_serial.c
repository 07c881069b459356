#define _POSIX_C_SOURCE 200809L

#include "host_serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

typedef struct {
    uint32_t baudrate;
    speed_t speed;
} baud_t;

static const baud_t bauds[] = {
    {1200u, B1200},   {2400u, B2400},   {4800u, B4800},   {9600u, B9600},
    {19200u, B19200}, {38400u, B38400},
#ifdef B57600
    {57600u, B57600},
#endif
#ifdef B115200
    {115200u, B115200},
#endif
};

static bool speed_of(uint32_t baudrate, speed_t *speed)
{
    size_t i;

    for (i = 0; i < sizeof bauds / sizeof bauds[0]; i++) {
        if (bauds[i].baudrate == baudrate) {
            *speed = bauds[i].speed;
            return true;
        }
    }
    return false;
}

int host_serial_open(const char *path, uint32_t baudrate, char parity, unsigned stopbits)
{
    struct termios tio;
    speed_t speed;
    int fd;

    if (!speed_of(baudrate, &speed)) {
        fprintf(stderr, "error: %s: unsupported baud rate %lu\n", path, (unsigned long)baudrate);
        return -1;
    }
    fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "error: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    if (tcgetattr(fd, &tio) != 0) {
        fprintf(stderr, "error: %s: not a serial port: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    /* Raw bytes: no line editing, no CR/LF translation, no flow control
     * characters, no signals; read() returns whatever has arrived. */
    tio.c_iflag &= (tcflag_t) ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                                IXOFF | INPCK);
    tio.c_oflag &= (tcflag_t)~OPOST;
    tio.c_lflag &= (tcflag_t) ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio.c_cflag &= (tcflag_t) ~(CSIZE | PARENB | PARODD | CSTOPB);
    tio.c_cflag |= (tcflag_t)(CS8 | CLOCAL | CREAD);
    if (parity == 'E' || parity == 'O') {
        tio.c_cflag |= (tcflag_t)PARENB;
        if (parity == 'O') {
            tio.c_cflag |= (tcflag_t)PARODD;
        }
    }
    if (stopbits == 2u) {
        tio.c_cflag |= (tcflag_t)CSTOPB;
    }
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0 ||
        tcsetattr(fd, TCSANOW, &tio) != 0) {
        fprintf(stderr, "error: %s: cannot set line settings: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

bool host_serial_write(int fd, const uint8_t *data, size_t len)
{
    size_t sent = 0u;

    while (sent < len) {
        ssize_t n = write(fd, data + sent, len - sent);
        if (n > 0) {
            sent += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pfd;
            pfd.fd = fd;
            pfd.events = POLLOUT;
            pfd.revents = 0;
            (void)poll(&pfd, 1, 100);
        } else {
            return false;
        }
    }
    return tcdrain(fd) == 0;
}
