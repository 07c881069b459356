/* The hardware abstraction: everything the core and the node applications
 * need from a board. Each platform implements these functions once
 * (host/host_hal.c on Linux, mcu/pico/kk_hal_pico.c on an RP2040); nothing
 * here may allocate or block for longer than its description says. */
#ifndef KK_HAL_H
#define KK_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes the RS-485 UART has received, at most `cap`, without waiting. */
size_t kk_hal_bus_read(uint8_t *buf, size_t cap);

/* Sends `len` bytes and returns only when the last stop bit has left the
 * shift register (not merely the FIFO), so the driver can be released
 * without cutting the frame's end. */
void kk_hal_bus_write(const uint8_t *data, size_t len);

/* The RS-485 transceiver's driver enable (DE, with /RE tied to it): true
 * to talk, false to listen. Half duplex: the bus is released at once after
 * a reply so the master's next request is not lost. */
void kk_hal_bus_driver(bool transmit);

/* A free-running microsecond counter for frame timing. It may wrap; the
 * core only ever subtracts two readings. */
uint32_t kk_hal_micros(void);

/* A free-running millisecond counter for application timing (sampling,
 * watchdogs, timeouts); it may wrap as well. */
uint32_t kk_hal_millis(void);

/* Reads sensor `id` (an application's enumeration) in the raw unit of the
 * register it feeds; false when the sensor did not answer. */
bool kk_hal_sensor_read(uint8_t id, int32_t *value);

/* Drives output `id` (an application's enumeration: a relay, a speed
 * command) to `value`. */
void kk_hal_output(uint8_t id, int32_t value);

/* Sends text on the auxiliary UART (the cart's NMEA output); may block
 * until it is queued. Only applications that call it need it linked. */
void kk_hal_aux_write(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
