#include "kk_hal_pico.h"

#include "board.h"
#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/uart.h"
#include "kk_hal.h"
#include "pico/stdlib.h"
#include "pico/time.h"

/* A power of two, so the indices wrap with a mask; 512 bytes hold two
 * full frames, ample for a main loop that polls every few milliseconds. */
#define RX_RING 512u

static uart_inst_t *bus_uart;
static uart_inst_t *aux_uart;
static uint8_t de_pin;
static uint8_t ring[RX_RING];
/* Written by the interrupt (head) and the main loop (tail) only; 32-bit
 * aligned accesses are atomic on the Cortex-M0+. */
static volatile uint32_t ring_head;
static volatile uint32_t ring_tail;
static volatile uint32_t dropped;

static uart_inst_t *uart_of(uint8_t index)
{
    return index == 0u ? uart0 : uart1;
}

static void on_bus_rx(void)
{
    while (uart_is_readable(bus_uart)) {
        uint8_t byte = (uint8_t)uart_getc(bus_uart);
        uint32_t head = ring_head;
        if (head - ring_tail < RX_RING) {
            ring[head & (RX_RING - 1u)] = byte;
            ring_head = head + 1u;
        } else {
            /* The frame loses a byte, fails its CRC and is not answered:
             * the master retries. Counting it makes the cause visible. */
            dropped++;
        }
    }
}

bool kk_pico_bus_init(const kk_pico_bus_t *bus)
{
    uart_parity_t parity = bus->parity == 'E'   ? UART_PARITY_EVEN
                           : bus->parity == 'O' ? UART_PARITY_ODD
                                                : UART_PARITY_NONE;
    uint32_t actual;
    int irq;

    bus_uart = uart_of(bus->uart_index);
    de_pin = bus->de_pin;
    gpio_init(de_pin);
    gpio_set_dir(de_pin, GPIO_OUT);
    gpio_put(de_pin, false); /* listen until there is something to say */
    actual = uart_init(bus_uart, bus->baudrate);
    gpio_set_function(bus->tx_pin, GPIO_FUNC_UART);
    gpio_set_function(bus->rx_pin, GPIO_FUNC_UART);
    uart_set_hw_flow(bus_uart, false, false);
    uart_set_format(bus_uart, 8, bus->stopbits, parity);
    uart_set_fifo_enabled(bus_uart, true);
    irq = bus_uart == uart0 ? UART0_IRQ : UART1_IRQ;
    irq_set_exclusive_handler(irq, on_bus_rx);
    irq_set_enabled(irq, true);
    uart_set_irq_enables(bus_uart, true, false);
    return actual >= bus->baudrate - bus->baudrate / 100u &&
           actual <= bus->baudrate + bus->baudrate / 100u;
}

void kk_pico_aux_init(const kk_pico_aux_t *aux)
{
    aux_uart = uart_of(aux->uart_index);
    (void)uart_init(aux_uart, aux->baudrate);
    gpio_set_function(aux->tx_pin, GPIO_FUNC_UART);
}

uint32_t kk_pico_rx_dropped(void)
{
    return dropped;
}

void kk_pico_wait(uint32_t wait_us)
{
    /* Any interrupt (a received byte) is an event that ends the wait. */
    (void)best_effort_wfe_or_timeout(make_timeout_time_us(wait_us));
}

size_t kk_hal_bus_read(uint8_t *buf, size_t cap)
{
    size_t n = 0u;
    uint32_t tail = ring_tail;

    while (n < cap && tail != ring_head) {
        buf[n] = ring[tail & (RX_RING - 1u)];
        tail++;
        n++;
    }
    ring_tail = tail;
    return n;
}

void kk_hal_bus_write(const uint8_t *data, size_t len)
{
    uart_write_blocking(bus_uart, data, len);
    /* Until the shift register is empty, not just the FIFO: releasing the
     * driver earlier would cut the CRC's last bits. */
    uart_tx_wait_blocking(bus_uart);
}

void kk_hal_bus_driver(bool transmit)
{
    gpio_put(de_pin, transmit);
}

uint32_t kk_hal_micros(void)
{
    return time_us_32();
}

uint32_t kk_hal_millis(void)
{
    return to_ms_since_boot(get_absolute_time());
}

bool kk_hal_sensor_read(uint8_t id, int32_t *value)
{
    return board_sensor_read(id, value);
}

void kk_hal_output(uint8_t id, int32_t value)
{
    board_output(id, value);
}

void kk_hal_aux_write(const uint8_t *data, size_t len)
{
    if (aux_uart != NULL) {
        uart_write_blocking(aux_uart, data, len);
    }
}
