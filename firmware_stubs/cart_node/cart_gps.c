#include "cart_gps.h"

#include <stdint.h>

#include "cart_io.h"
#include "kk_hal.h"

static bool read_u32(uint8_t sensor, uint32_t max, uint32_t *value)
{
    int32_t raw;

    if (!kk_hal_sensor_read(sensor, &raw) || raw < 0 || (uint32_t)raw > max) {
        return false;
    }
    *value = (uint32_t)raw;
    return true;
}

void cart_gps_read(kk_gnss_fix_t *fix)
{
    uint32_t value;
    int32_t lat;
    int32_t lon;
    int32_t alt;

    fix->quality = read_u32(CART_SENSOR_GNSS_QUALITY, 8u, &value) ? (uint8_t)value : 0u;
    if (!kk_hal_sensor_read(CART_SENSOR_GNSS_LAT, &lat) ||
        !kk_hal_sensor_read(CART_SENSOR_GNSS_LON, &lon)) {
        fix->quality = 0u;
        lat = 0;
        lon = 0;
    }
    fix->lat_e7 = lat;
    fix->lon_e7 = lon;
    fix->alt_dm = kk_hal_sensor_read(CART_SENSOR_GNSS_ALT, &alt) ? alt : 0;
    fix->satellites = read_u32(CART_SENSOR_GNSS_SATELLITES, 255u, &value) ? (uint8_t)value : 0u;
    fix->hdop_d = read_u32(CART_SENSOR_GNSS_HDOP, 0xFFFFu, &value) ? (uint16_t)value : 999u;
    fix->speed_cms = read_u32(CART_SENSOR_GNSS_SPEED, UINT32_MAX, &value) ? value : 0u;
    fix->course_cdeg = read_u32(CART_SENSOR_GNSS_COURSE, 35999u, &value) ? value : 0u;
    fix->time_valid = read_u32(CART_SENSOR_GNSS_TIME, 86399999u, &fix->time_ms);
    if (!fix->time_valid) {
        fix->time_ms = 0u;
    }
    fix->date_valid = read_u32(CART_SENSOR_GNSS_DATE, 20991231u, &value);
    fix->year = fix->date_valid ? (uint16_t)(value / 10000u) : 0u;
    fix->month = fix->date_valid ? (uint8_t)(value / 100u % 100u) : 0u;
    fix->day = fix->date_valid ? (uint8_t)(value % 100u) : 0u;
}

bool cart_gps_send(const kk_gnss_fix_t *fix)
{
    char sentence[KK_NMEA_MAX_SENTENCE];
    size_t len;

    len = kk_nmea_gga(fix, sentence, sizeof sentence);
    if (len > 0u) {
        kk_hal_aux_write((const uint8_t *)sentence, len);
    }
    len = kk_nmea_rmc(fix, sentence, sizeof sentence);
    if (len > 0u) {
        kk_hal_aux_write((const uint8_t *)sentence, len);
    }
    return kk_gnss_has_position(fix);
}
