/* A Modbus RTU slave on a serial port: the HAL's UART and clock feed the
 * frame receiver, a complete frame goes to the slave, its reply goes out
 * with the RS-485 driver enabled. Call kk_rtu_port_poll() from the main
 * loop; it never blocks longer than one reply takes to send. */
#ifndef KK_RTU_PORT_H
#define KK_RTU_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "kk_rtu_rx.h"
#include "kk_rtu_slave.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    kk_rtu_rx_t rx;
    kk_rtu_slave_t slave;
    uint8_t tx[KK_RTU_MAX_ADU];
    uint32_t rx_bytes;
    uint32_t tx_bytes;
} kk_rtu_port_t;

/* False for an invalid unit, baud rate or character size. */
bool kk_rtu_port_init(kk_rtu_port_t *port, uint8_t unit, uint32_t baudrate,
                      uint8_t bits_per_char, kk_map_t *map, const kk_write_hooks_t *hooks);

/* Takes the received bytes and answers a frame that has ended. Returns the
 * microseconds until it must run again if no byte arrives, or
 * KK_RTU_RX_IDLE, so the caller may sleep until a byte or that time. */
uint32_t kk_rtu_port_poll(kk_rtu_port_t *port);

#ifdef __cplusplus
}
#endif

#endif
