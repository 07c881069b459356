/* kk_hal on an RP2040 with the Raspberry Pi Pico SDK: the RS-485 bus on a
 * UART with a driver-enable pin, the auxiliary UART, the SDK's timer. The
 * sensors and outputs are the board's (board.h). Written against the SDK's
 * documented API; not compiled in this repository's tests (see
 * docs/firmware.md). */
#ifndef KK_HAL_PICO_H
#define KK_HAL_PICO_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint8_t uart_index; /* 0 or 1 */
    uint8_t tx_pin;
    uint8_t rx_pin;
    uint8_t de_pin;     /* DE and /RE of the transceiver, tied together */
    uint32_t baudrate;
    char parity;        /* 'N', 'E' or 'O' */
    uint8_t stopbits;   /* 1 or 2 */
} kk_pico_bus_t;

typedef struct {
    uint8_t uart_index;
    uint8_t tx_pin;
    uint32_t baudrate;
} kk_pico_aux_t;

/* Sets up the bus UART with a receive interrupt feeding a ring buffer, so
 * no byte is lost while the main loop measures; false if the UART could
 * not reach the baud rate within 1 %. */
bool kk_pico_bus_init(const kk_pico_bus_t *bus);

/* Sets up the auxiliary UART, transmit only (the cart's NMEA output). */
void kk_pico_aux_init(const kk_pico_aux_t *aux);

/* Bytes the receive interrupt had to drop because the ring was full. */
uint32_t kk_pico_rx_dropped(void);

/* Sleeps until an interrupt or `wait_us`, whichever comes first. */
void kk_pico_wait(uint32_t wait_us);

#endif
