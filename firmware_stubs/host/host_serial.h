/* A serial port on a POSIX host (a real UART, a USB adapter or a pty):
 * opened raw, non-blocking, with the node's line settings. */
#ifndef HOST_SERIAL_H
#define HOST_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The open descriptor, or -1 with a reason on stderr. `parity` is 'N', 'E'
 * or 'O'; `stopbits` 1 or 2. */
int host_serial_open(const char *path, uint32_t baudrate, char parity, unsigned stopbits);

/* Writes everything, then waits until the kernel has sent it (tcdrain),
 * as the RS-485 driver may only be released after the last bit. False when
 * the port failed. */
bool host_serial_write(int fd, const uint8_t *data, size_t len);

#endif
