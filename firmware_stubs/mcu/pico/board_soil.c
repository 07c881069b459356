/* The reference soil node board: an RP2040 with a capacitive moisture
 * probe on ADC0 (GP26), the battery through a 1:2 divider on ADC1 (GP27),
 * the valve relay's driver on GP15. Temperature and EC need a probe with
 * its own interface (1-Wire, a second RS-485 line); until a driver for one
 * is added here they read as "probe silent": sentinels and probe_fault, as
 * the map specifies, never a made-up number. */
#include "board.h"

#include "hardware/adc.h"
#include "hardware/gpio.h"
#include "soil_node.h"

#define VALVE_PIN 15u
#define MOISTURE_ADC 0u
#define BATTERY_ADC 1u
/* Two-point calibration of the moisture probe, in 12-bit ADC counts: in
 * dry air and in water. Measure them for each probe model. */
#define MOISTURE_DRY_COUNTS 3100
#define MOISTURE_WET_COUNTS 1350
#define ADC_FULL_SCALE_MV 3300
#define ADC_COUNTS 4096
#define BATTERY_DIVIDER 2

static int32_t read_adc(uint8_t input)
{
    adc_select_input(input);
    return (int32_t)adc_read();
}

void board_init(void)
{
    adc_init();
    adc_gpio_init(26u + MOISTURE_ADC);
    adc_gpio_init(26u + BATTERY_ADC);
    gpio_init(VALVE_PIN);
    gpio_set_dir(VALVE_PIN, GPIO_OUT);
    gpio_put(VALVE_PIN, false);
}

bool board_sensor_read(uint8_t id, int32_t *value)
{
    int32_t counts;

    switch (id) {
    case SOIL_SENSOR_MOISTURE:
        counts = read_adc(MOISTURE_ADC);
        /* Wetter soil reads fewer counts; 0.1 % steps, clamped by the node. */
        *value = (MOISTURE_DRY_COUNTS - counts) * 1000 /
                 (MOISTURE_DRY_COUNTS - MOISTURE_WET_COUNTS);
        return true;
    case SOIL_SENSOR_BATTERY_VOLTAGE:
        *value = read_adc(BATTERY_ADC) * ADC_FULL_SCALE_MV * BATTERY_DIVIDER / ADC_COUNTS;
        return true;
    case SOIL_SENSOR_TEMPERATURE:
    case SOIL_SENSOR_EC:
    default:
        return false;
    }
}

void board_output(uint8_t id, int32_t value)
{
    if (id == SOIL_OUTPUT_VALVE) {
        gpio_put(VALVE_PIN, value != 0);
    }
}
