/*
 * tgnoise — the seeded randomness of the demo-tile generator: a splitmix64
 * stream for scene layout and position-hashed value noise / fBm for textures.
 *
 * Why our own: rand() differs between libcs and carries hidden global state;
 * tiles must be byte-identical for the same inputs. Texture noise is a pure
 * function of (x, y, seed), never of call order, so a scene rendered in strips
 * gives exactly the pixels it would give rendered whole.
 * Coordinates passed to the noise functions are scene metres (any unit works;
 * the lattice spacing is 1 unit).
 */
#ifndef SATMARK_TGNOISE_H
#define SATMARK_TGNOISE_H

#include <stdint.h>

struct tgnoise_rng {
    uint64_t state;
};

/* Starts a stream; equal seeds give equal streams. */
void tgnoise_seed(struct tgnoise_rng *rng, uint64_t seed);
/* Next 64 random bits (splitmix64). */
uint64_t tgnoise_next(struct tgnoise_rng *rng);
/* Uniform in [0, 1). */
double tgnoise_uniform(struct tgnoise_rng *rng);
/* Uniform in [lo, hi). */
double tgnoise_range(struct tgnoise_rng *rng, double lo, double hi);
/* Uniform integer in [lo, hi] (inclusive); lo <= hi. */
int tgnoise_int(struct tgnoise_rng *rng, int lo, int hi);
/* Mixes two values into a new seed (for per-object streams). */
uint64_t tgnoise_mix(uint64_t a, uint64_t b);
/* Seed derived from a string (FNV-1a then mixed); s borrowed. */
uint64_t tgnoise_string_seed(const char *s);

/* Hash of an integer lattice point to [0, 1). */
float tgnoise_hash01(int32_t x, int32_t y, uint32_t seed);
/* Smooth value noise in [-1, 1] with lattice spacing 1. */
float tgnoise_value(float x, float y, uint32_t seed);
/* Fractal sum of `octaves` value-noise layers (gain 0.5, lacunarity 2.03),
 * normalised to about [-1, 1]. */
float tgnoise_fbm(float x, float y, int octaves, uint32_t seed);

#endif
