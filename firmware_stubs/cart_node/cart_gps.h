/* The cart's GPS output: the fix from the GNSS sensors as one NMEA epoch,
 * GGA then RMC, on the auxiliary UART, for the gateway's nmea_gps reader. */
#ifndef CART_GPS_H
#define CART_GPS_H

#include <stdbool.h>

#include "kk_nmea.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fix as the sensors report it now; a missing position or quality
 * makes it a "no fix", a missing time or date leaves that field empty. */
void cart_gps_read(kk_gnss_fix_t *fix);

/* Sends GGA and RMC of `fix`; returns whether it had a position. */
bool cart_gps_send(const kk_gnss_fix_t *fix);

#ifdef __cplusplus
}
#endif

#endif
