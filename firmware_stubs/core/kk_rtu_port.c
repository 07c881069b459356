#include "kk_rtu_port.h"

#include "kk_hal.h"

/* Reads per poll are bounded so that a line streaming garbage without a
 * pause cannot keep the main loop (and the application's timers) from
 * running; the rest is taken on the next poll. */
#define READ_CHUNK 64u
#define MAX_READS_PER_POLL 8u

bool kk_rtu_port_init(kk_rtu_port_t *port, uint8_t unit, uint32_t baudrate,
                      uint8_t bits_per_char, kk_map_t *map, const kk_write_hooks_t *hooks)
{
    bool ok = kk_rtu_rx_init(&port->rx, baudrate, bits_per_char);

    ok = kk_rtu_slave_init(&port->slave, unit, map, hooks) && ok;
    port->rx_bytes = 0u;
    port->tx_bytes = 0u;
    return ok;
}

static void transmit(kk_rtu_port_t *port, size_t len)
{
    kk_hal_bus_driver(true);
    kk_hal_bus_write(port->tx, len);
    kk_hal_bus_driver(false);
    port->tx_bytes += (uint32_t)len;
}

uint32_t kk_rtu_port_poll(kk_rtu_port_t *port)
{
    uint8_t chunk[READ_CHUNK];
    unsigned reads;

    /* Reading before judging the silence: after a stall the bytes that
     * waited in the UART belong to the frame being received. */
    for (reads = 0u; reads < MAX_READS_PER_POLL; reads++) {
        size_t got = kk_hal_bus_read(chunk, sizeof chunk);
        if (got == 0u) {
            break;
        }
        kk_rtu_rx_bytes(&port->rx, chunk, got, kk_hal_micros());
        port->rx_bytes += (uint32_t)got;
    }
    switch (kk_rtu_rx_poll(&port->rx, kk_hal_micros())) {
    case KK_RX_FRAME: {
        size_t len;
        const uint8_t *frame = kk_rtu_rx_frame(&port->rx, &len);
        size_t reply = kk_rtu_slave_frame(&port->slave, frame, len, port->tx);
        if (reply > 0u) {
            transmit(port, reply);
        }
        break;
    }
    case KK_RX_OVERRUN:
        kk_rtu_slave_overrun(&port->slave);
        break;
    case KK_RX_NONE:
    default:
        break;
    }
    return kk_rtu_rx_wait_us(&port->rx, kk_hal_micros());
}
