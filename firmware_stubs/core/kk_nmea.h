/* NMEA 0183 GGA and RMC sentences from a GNSS fix, for a node that passes
 * its position on to the gateway's serial line reader. Integer arithmetic
 * only: printf with floats would cost a Cortex-M0+ kilobytes of flash. */
#ifndef KK_NMEA_H
#define KK_NMEA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest sentence NMEA 0183 allows, "$" to CR LF included. */
#define KK_NMEA_MAX_SENTENCE 82u

typedef struct {
    bool time_valid;
    uint32_t time_ms; /* UTC milliseconds since midnight, < 86 400 000 */
    bool date_valid;
    uint16_t year;    /* 2000..2099: RMC carries two digits */
    uint8_t month;    /* 1..12 */
    uint8_t day;      /* 1..31 */
    uint8_t quality;  /* GGA fix quality: 0 none, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float */
    int32_t lat_e7;   /* degrees x 10^7, north positive */
    int32_t lon_e7;   /* degrees x 10^7, east positive */
    int32_t alt_dm;   /* metres above mean sea level x 10 */
    uint8_t satellites;
    uint16_t hdop_d;  /* horizontal dilution of precision x 10 */
    uint32_t speed_cms;   /* speed over ground, cm/s */
    uint32_t course_cdeg; /* course over ground, degrees x 100, 0..35999 */
} kk_gnss_fix_t;

/* Whether the fix has a position worth sending: quality 1..8 and
 * coordinates on the globe. Otherwise the sentences say "no fix" with
 * empty position fields rather than send a made-up one. */
bool kk_gnss_has_position(const kk_gnss_fix_t *fix);

/* The sentence in `out` (at least KK_NMEA_MAX_SENTENCE bytes, not
 * NUL-terminated); returns its length, or 0 if `cap` is too small. Fields
 * out of their range are sent empty (time, date) or clamped (satellites,
 * HDOP, altitude), so the output is always a valid sentence. */
size_t kk_nmea_gga(const kk_gnss_fix_t *fix, char *out, size_t cap);
size_t kk_nmea_rmc(const kk_gnss_fix_t *fix, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
