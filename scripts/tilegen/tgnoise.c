/*
 * tgnoise — splitmix64 stream and hashed value noise; see tgnoise.h.
 * Invariant: nothing here keeps state outside the rng struct the caller owns.
 */
#include "tgnoise.h"

#include <math.h>

void tgnoise_seed(struct tgnoise_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t tgnoise_next(struct tgnoise_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double tgnoise_uniform(struct tgnoise_rng *rng)
{
    return (double)(tgnoise_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

double tgnoise_range(struct tgnoise_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * tgnoise_uniform(rng);
}

int tgnoise_int(struct tgnoise_rng *rng, int lo, int hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - (int64_t)lo + 1);
    return lo + (int)(tgnoise_next(rng) % span);
}

uint64_t tgnoise_mix(uint64_t a, uint64_t b)
{
    struct tgnoise_rng r = {a ^ (b * 0xd6e8feb86659fd93ULL)};
    return tgnoise_next(&r);
}

uint64_t tgnoise_string_seed(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return tgnoise_mix(h, 0x5a7e11a7eULL);
}

float tgnoise_hash01(int32_t x, int32_t y, uint32_t seed)
{
    uint32_t h = seed ^ ((uint32_t)x * 0x27d4eb2dU) ^ ((uint32_t)y * 0x165667b1U);
    h ^= h >> 15;
    h *= 0x85ebca6bU;
    h ^= h >> 13;
    h *= 0xc2b2ae35U;
    h ^= h >> 16;
    return (float)(h >> 8) * (1.0f / 16777216.0f);
}

float tgnoise_value(float x, float y, uint32_t seed)
{
    float fx = floorf(x), fy = floorf(y);
    int32_t ix = (int32_t)fx, iy = (int32_t)fy;
    float tx = x - fx, ty = y - fy;
    /* quintic fade: continuous second derivative, no grid creases */
    float sx = tx * tx * tx * (tx * (tx * 6.0f - 15.0f) + 10.0f);
    float sy = ty * ty * ty * (ty * (ty * 6.0f - 15.0f) + 10.0f);
    float a = tgnoise_hash01(ix, iy, seed), b = tgnoise_hash01(ix + 1, iy, seed);
    float c = tgnoise_hash01(ix, iy + 1, seed), d = tgnoise_hash01(ix + 1, iy + 1, seed);
    float top = a + (b - a) * sx, bottom = c + (d - c) * sx;
    return (top + (bottom - top) * sy) * 2.0f - 1.0f;
}

float tgnoise_fbm(float x, float y, int octaves, uint32_t seed)
{
    float sum = 0.0f, amp = 1.0f, norm = 0.0f;
    for (int o = 0; o < octaves; o++) {
        sum += amp * tgnoise_value(x, y, seed + (uint32_t)o * 0x9e3779b9U);
        norm += amp;
        amp *= 0.5f;
        /* rotate a little each octave so lattice axes do not line up */
        float nx = 1.6f * x + 1.2f * y + 17.3f;
        float ny = -1.2f * x + 1.6f * y + 5.1f;
        x = nx * 1.015f;
        y = ny * 1.015f;
    }
    return sum / norm;
}
