#include "kk_rtu_rx.h"

#define FAST_LINE_BAUD 19200u
#define FAST_LINE_GAP_US 1750u

uint32_t kk_rtu_gap_us(uint32_t baudrate, uint8_t bits_per_char)
{
    /* 3.5 characters = 35 * bits / 10 bit times; 35 * 12 * 100000 fits in
     * 32 bits, so the product cannot overflow for any accepted size. */
    uint32_t numerator = 35u * (uint32_t)bits_per_char * 100000u;

    if (baudrate == 0u) {
        return FAST_LINE_GAP_US;
    }
    if (baudrate > FAST_LINE_BAUD) {
        return FAST_LINE_GAP_US;
    }
    return (numerator + baudrate - 1u) / baudrate;
}

bool kk_rtu_rx_init(kk_rtu_rx_t *rx, uint32_t baudrate, uint8_t bits_per_char)
{
    rx->len = 0u;
    rx->receiving = false;
    rx->overrun = false;
    rx->last_byte_us = 0u;
    rx->gap_us = 0u;
    if (baudrate == 0u || bits_per_char < 10u || bits_per_char > 12u) {
        return false;
    }
    rx->gap_us = kk_rtu_gap_us(baudrate, bits_per_char);
    return true;
}

void kk_rtu_rx_bytes(kk_rtu_rx_t *rx, const uint8_t *data, size_t len, uint32_t now_us)
{
    size_t i;

    if (len == 0u) {
        return;
    }
    if (!rx->receiving) {
        /* A new frame starts: whatever the last one held has been handled. */
        rx->len = 0u;
        rx->overrun = false;
        rx->receiving = true;
    }
    for (i = 0; i < len; i++) {
        if (rx->len < KK_RTU_MAX_ADU) {
            rx->buf[rx->len] = data[i];
            rx->len++;
        } else {
            /* Keep counting the frame as one: it ends at the next silence
             * and is discarded whole, never answered in part. */
            rx->overrun = true;
        }
    }
    rx->last_byte_us = now_us;
}

kk_rx_event_t kk_rtu_rx_poll(kk_rtu_rx_t *rx, uint32_t now_us)
{
    /* Unsigned subtraction is defined modulo 2^32, so the timer wrapping
     * every 71 minutes does not matter for gaps far shorter than that. */
    uint32_t silent_us = now_us - rx->last_byte_us;

    if (!rx->receiving || silent_us < rx->gap_us) {
        return KK_RX_NONE;
    }
    rx->receiving = false;
    if (rx->overrun) {
        rx->len = 0u;
        return KK_RX_OVERRUN;
    }
    return KK_RX_FRAME;
}

uint32_t kk_rtu_rx_wait_us(const kk_rtu_rx_t *rx, uint32_t now_us)
{
    uint32_t silent_us = now_us - rx->last_byte_us;

    if (!rx->receiving) {
        return KK_RTU_RX_IDLE;
    }
    if (silent_us >= rx->gap_us) {
        return 0u;
    }
    return rx->gap_us - silent_us;
}

const uint8_t *kk_rtu_rx_frame(const kk_rtu_rx_t *rx, size_t *len)
{
    *len = rx->len;
    return rx->buf;
}
