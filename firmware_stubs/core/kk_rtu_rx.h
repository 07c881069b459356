/* Modbus RTU frame reception: a frame is the bytes between two silences of
 * at least 3.5 character times (t3.5). RTU has no length field or delimiter,
 * so silence is the only frame boundary a slave can trust. */
#ifndef KK_RTU_RX_H
#define KK_RTU_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest RTU frame: unit, 253-byte PDU, CRC. */
#define KK_RTU_MAX_ADU 256u

/* No deadline: only a new byte can complete anything. */
#define KK_RTU_RX_IDLE UINT32_MAX

typedef enum {
    KK_RX_NONE = 0,    /* nothing complete yet */
    KK_RX_FRAME = 1,   /* a frame ended; kk_rtu_rx_frame() holds it */
    KK_RX_OVERRUN = 2  /* more than KK_RTU_MAX_ADU bytes without a silence: dropped */
} kk_rx_event_t;

typedef struct {
    uint8_t buf[KK_RTU_MAX_ADU];
    uint16_t len;
    bool receiving; /* bytes arrived since the last frame boundary */
    bool overrun;   /* bytes were dropped; the frame is discarded at its end */
    uint32_t last_byte_us;
    uint32_t gap_us;
} kk_rtu_rx_t;

/* The 3.5-character silence in microseconds for `baudrate` and
 * `bits_per_char` (start + data + parity + stop: 10 for 8N1, 11 for 8E1 or
 * 8N2), rounded up. Above 19200 baud the Modbus serial line specification
 * fixes it at 1750 us, so fast lines do not depend on tight timers. */
uint32_t kk_rtu_gap_us(uint32_t baudrate, uint8_t bits_per_char);

/* Returns false (and leaves `rx` unusable) for a zero baud rate or a
 * character size outside 10..12 bits. */
bool kk_rtu_rx_init(kk_rtu_rx_t *rx, uint32_t baudrate, uint8_t bits_per_char);

/* Bytes just taken from the UART, received at `now_us`. Always read the
 * UART before calling kk_rtu_rx_poll(): a main loop that stalled with bytes
 * waiting in a FIFO must not take the stall for a silence. */
void kk_rtu_rx_bytes(kk_rtu_rx_t *rx, const uint8_t *data, size_t len, uint32_t now_us);

/* Whether a frame ended by `now_us`. After KK_RX_FRAME the frame stays
 * readable until the next kk_rtu_rx_bytes() call. */
kk_rx_event_t kk_rtu_rx_poll(kk_rtu_rx_t *rx, uint32_t now_us);

/* Microseconds until kk_rtu_rx_poll() could report something without new
 * bytes, or KK_RTU_RX_IDLE. Lets a main loop sleep instead of spinning. */
uint32_t kk_rtu_rx_wait_us(const kk_rtu_rx_t *rx, uint32_t now_us);

const uint8_t *kk_rtu_rx_frame(const kk_rtu_rx_t *rx, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
