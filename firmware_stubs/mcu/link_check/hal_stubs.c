/* kk_hal stubs for the link-check images. They make the images link and
 * let the size of the core and the nodes be measured; they drive no
 * hardware, so these images are not firmware. The real adapter for an
 * RP2040 is mcu/pico/kk_hal_pico.c. */
#include "kk_hal.h"

/* Volatile, so the compiler cannot treat the stubs' results as constants
 * and fold away the code that a real HAL's values would exercise. */
static volatile uint32_t fake_timer;
static volatile int32_t fake_sensor;
static volatile uint8_t fake_rx;

size_t kk_hal_bus_read(uint8_t *buf, size_t cap)
{
    if (cap == 0u || fake_rx == 0u) {
        return 0u;
    }
    buf[0] = fake_rx;
    return 1u;
}

void kk_hal_bus_write(const uint8_t *data, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        fake_rx = data[i];
    }
}

void kk_hal_bus_driver(bool transmit)
{
    fake_rx = transmit ? 1u : 0u;
}

uint32_t kk_hal_micros(void)
{
    return fake_timer;
}

uint32_t kk_hal_millis(void)
{
    return fake_timer / 1000u;
}

bool kk_hal_sensor_read(uint8_t id, int32_t *value)
{
    *value = fake_sensor + id;
    return *value >= 0;
}

void kk_hal_output(uint8_t id, int32_t value)
{
    fake_sensor = value + id;
}

void kk_hal_aux_write(const uint8_t *data, size_t len)
{
    kk_hal_bus_write(data, len);
}
