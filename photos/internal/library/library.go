// Package library makes the sample photos that Alice and Bob start with: distinct, pleasant
// pictures (skies, hills, sun, sea, patterns), drawn in Go, so the demo needs no image files.
package library

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"time"
)

// Photo is one generated sample photo.
type Photo struct {
	Title         string
	Album         string
	TakenAt       time.Time // UTC, deterministic
	JPEG          []byte    // the encoded image, quality 85
	Width, Height int
}

// jpegQuality is fixed so the bytes, not just the pictures, are the same on every run.
const jpegQuality = 85

// maxSide is the largest width or height a baseline JPEG can record.
const maxSide = 65535

// sample describes one photo of a library: its metadata and how to draw it. Each photo has its own
// seed, so reordering or adding photos never changes the pictures already there.
type sample struct {
	title, album string
	taken        time.Time
	seed         uint64
	draw         func(c *canvas, r *rand.Rand)
}

// at is a short way to write a UTC timestamp in the tables below.
func at(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
}

// Album names. Alice's follow the Wonderland story; Bob is a builder who hikes at the weekend.
const (
	wonderland = "Wonderland"
	seaside    = "Summer by the sea"
	patterns   = "Patterns"
	site       = "Building site"
	hikes      = "Weekend hikes"
)

// libraries lists each user's photos in album order, with dates rising through 2025 and 2026 and a
// time of day that suits the picture (sunrise early, stars late).
var libraries = map[string][]sample{
	"alice": {
		{"Sunrise over the hills", wonderland, at(2025, time.March, 21, 6, 42), 101, func(c *canvas, r *rand.Rand) {
			hills(c, r, hillsScene{
				sky:  []stop{{0, hex(0x5d7fc9)}, {0.3, hex(0xb4a4d0)}, {0.48, hex(0xf7b7a3)}, {0.62, hex(0xffdca8)}},
				sunX: 0.34, sunY: 0.55, sunR: 0.055, sunCol: hex(0xfff6de), glowCol: hex(0xffc98a),
				layers: []rgb{hex(0xc2a6bd), hex(0x9fb08a), hex(0x6e9a52), hex(0x3f7b39)},
				clouds: 2, cloudLit: hex(0xffe6dc), cloudSh: hex(0xc99ab0), mist: hex(0xffe2c8),
			})
		}},
		{"Field of flowers", wonderland, at(2025, time.April, 18, 14, 10), 102, func(c *canvas, r *rand.Rand) {
			flowerField(c, r, fieldScene{
				sky:     []stop{{0, hex(0x4f9fe0)}, {0.5, hex(0xa9d8f5)}, {0.6, hex(0xe2f3fb)}},
				horizon: 0.55, farGrass: hex(0xa6d46a), grass: hex(0x2f7d34),
				hillA: hex(0x9cc3b8), hillB: hex(0x86b98a),
				petals: []rgb{hex(0xf48fb1), hex(0xfafafa), hex(0xb39ddb), hex(0xfff176), hex(0xf06292)},
				centre: hex(0xf9a825), clouds: 3, cloudLit: hex(0xffffff), cloudSh: hex(0xc9d9ea),
			})
		}},
		{"Starry night over the hills", wonderland, at(2025, time.May, 2, 22, 30), 103, nightHills},
		{"Sunset over the sea", seaside, at(2025, time.July, 14, 20, 55), 201, func(c *canvas, r *rand.Rand) {
			seascape(c, r, seaScene{
				sky:     []stop{{0, hex(0x28356e)}, {0.25, hex(0x7a4a8a)}, {0.45, hex(0xe8736a)}, {0.6, hex(0xffc07a)}},
				horizon: 0.6, sunX: 0.5, sunY: 0.575, sunR: 0.07,
				sunCol: hex(0xfff0c0), glowCol: hex(0xff9a5a), glowR: 0.7, glowA: 0.6,
				clouds: 2, cloudLit: hex(0xffa88a), cloudSh: hex(0x8a4a7a),
				seaFar: hex(0xd08070), seaNear: hex(0x2a2a58), crest: hex(0xffb890), trough: hex(0x1a1838),
				reflect: 0.95,
			})
		}},
		{"Midday at the beach", seaside, at(2025, time.July, 16, 12, 20), 202, func(c *canvas, r *rand.Rand) {
			seascape(c, r, seaScene{
				sky:     []stop{{0, hex(0x2a7fd0)}, {0.45, hex(0x9fd6f4)}, {0.5, hex(0xd8f0fa)}},
				horizon: 0.5, sunX: 0.5, sunY: 0.1, sunR: 0.05,
				sunCol: hex(0xfffdf0), glowCol: hex(0xfff4c0), glowR: 0.6, glowA: 0.5,
				clouds: 2, cloudLit: hex(0xffffff), cloudSh: hex(0xc4d8ea),
				seaFar: hex(0x3aa6c8), seaNear: hex(0x17b0b0), crest: hex(0xbff4f0), trough: hex(0x0b6a88),
				reflect: 0.25, beach: true,
			})
		}},
		{"Moonlight on the sea", seaside, at(2025, time.August, 9, 23, 15), 203, func(c *canvas, r *rand.Rand) {
			seascape(c, r, seaScene{
				sky:     []stop{{0, hex(0x04101e)}, {0.35, hex(0x0f3050)}, {0.62, hex(0x2f6a86)}},
				horizon: 0.62, sunX: 0.3, sunY: 0.27, sunR: 0.055, sunCol: hex(0xeef3ff), moon: true,
				stars:  260,
				seaFar: hex(0x285a74), seaNear: hex(0x06121f), crest: hex(0x5a90a8), trough: hex(0x020a14),
				reflect: 0.7,
			})
		}},
		{"Chequered tiles", patterns, at(2025, time.November, 3, 10, 5), 301, func(c *canvas, _ *rand.Rand) {
			checkerboard(c, hex(0xb3263e), hex(0xf3e4c8))
		}},
		{"Candy stripes", patterns, at(2025, time.December, 12, 16, 40), 302, func(c *canvas, _ *rand.Rand) {
			candyStripes(c, []rgb{hex(0xf7a1b5), hex(0xfbe3a1), hex(0xa8e0d1), hex(0xb9b4f0)})
		}},
		{"Concentric circles", patterns, at(2026, time.January, 20, 11, 0), 303, func(c *canvas, _ *rand.Rand) {
			rings(c, []rgb{hex(0x264653), hex(0x2a9d8f), hex(0xe9c46a), hex(0xf4a261), hex(0xe76f51)})
		}},
		{"Polka dots", patterns, at(2026, time.February, 14, 15, 25), 304, func(c *canvas, _ *rand.Rand) {
			polkaDots(c, hex(0x2f4858), []rgb{hex(0xf28482), hex(0xf6bd60), hex(0xf7ede2), hex(0x84a59d)})
		}},
	},
	"bob": {
		{"Crane at sunrise", site, at(2025, time.February, 10, 7, 5), 401, craneSite},
		{"City skyline at dusk", site, at(2025, time.June, 4, 21, 40), 402, func(c *canvas, r *rand.Rand) { city(c, r, false) }},
		{"Site lights at night", site, at(2025, time.October, 22, 21, 30), 403, func(c *canvas, r *rand.Rand) { city(c, r, true) }},
		{"Fresh brickwork", site, at(2025, time.November, 28, 13, 15), 404, func(c *canvas, _ *rand.Rand) { bricks(c) }},
		{"Snowy mountain peaks", hikes, at(2026, time.January, 17, 11, 20), 501, func(c *canvas, r *rand.Rand) {
			mountains(c, r, mountainScene{
				sky:  []stop{{0, hex(0x2462ad)}, {0.45, hex(0x7fb6e3)}, {0.65, hex(0xcfe6f5)}},
				sunX: 0.15, sunY: 0.14, sunR: 0.045, sunCol: hex(0xffffff), glowCol: hex(0xfff6dc),
				far:     hex(0x8ea9cc),
				rockLit: hex(0xa39489), rockShade: hex(0x545b72), snowLit: hex(0xffffff), snowShade: hex(0xa7bddc),
				clouds: 2, cloudLit: hex(0xffffff), cloudSh: hex(0xc6d6e8),
				foreground: hex(0x3d6b45),
			})
		}},
		{"Misty pine forest", hikes, at(2026, time.March, 8, 9, 0), 502, pineForest},
		{"Alpine lake at dawn", hikes, at(2026, time.May, 23, 5, 45), 503, func(c *canvas, r *rand.Rand) {
			mountains(c, r, mountainScene{
				sky:     []stop{{0, hex(0x34457a)}, {0.3, hex(0x9a7aa8)}, {0.5, hex(0xf0a8a0)}, {0.62, hex(0xffd6a8)}},
				far:     hex(0xb48aa6),
				rockLit: hex(0xc88a7e), rockShade: hex(0x4e4763), snowLit: hex(0xffe0d2), snowShade: hex(0x9d94c0),
				lake: true, water: hex(0x2a3558), foreground: hex(0x1a1f30), treeLine: hex(0x24213a),
			})
		}},
		{"Meadow of wildflowers", hikes, at(2026, time.June, 20, 15, 30), 504, func(c *canvas, r *rand.Rand) {
			flowerField(c, r, fieldScene{
				sky:     []stop{{0, hex(0x2d6cb5)}, {0.45, hex(0x8cc0e6)}, {0.58, hex(0xd6ecf5)}},
				horizon: 0.5, farGrass: hex(0xc9cf5a), grass: hex(0x4f7f26),
				hillA: hex(0xa0a8c8), hillB: hex(0x5a6488), mountains: true,
				petals: []rgb{hex(0xe53935), hex(0xfb8c00), hex(0x3f51b5), hex(0xfafafa), hex(0xffd54f)},
				centre: hex(0x3e2723), clouds: 2, cloudLit: hex(0xffffff), cloudSh: hex(0xbfd2e6),
			})
		}},
		{"Stars over the campsite", hikes, at(2026, time.August, 15, 23, 40), 505, campsite},
	},
}

// Samples returns the sample library of a demo user ("alice" or "bob"; any other name gets
// nil), each picture width x height pixels (the product uses 1600x1200; tests may use less).
// The result is deterministic: the same user and size give the same bytes.
// A size below 1 or above 65535 pixels, which JPEG cannot hold, also gives nil.
func Samples(user string, width, height int) []Photo {
	specs, ok := libraries[user]
	if !ok || width < 1 || height < 1 || width > maxSide || height > maxSide {
		return nil
	}
	photos := make([]Photo, 0, len(specs))
	for _, s := range specs {
		photos = append(photos, render(s, width, height))
	}
	return photos
}

// render draws one sample photo and encodes it.
func render(s sample, width, height int) Photo {
	c := newCanvas(width, height)
	// Every random choice comes from a PCG generator with the photo's fixed seed, and the drawing
	// does not depend on map order or the clock, so the same photo and size always give the same
	// pixels and, with a fixed quality, the same JPEG bytes.
	s.draw(c, rand.New(rand.NewPCG(s.seed, 0x9e3779b97f4a7c15)))
	c.vignette(0.25)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, c.img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		// Encoding an in-memory RGBA image of a checked size into a buffer cannot fail;
		// if it does, the encoder itself is broken.
		panic(fmt.Sprintf("library: encoding %q: %v", s.title, err))
	}
	return Photo{
		Title:   s.title,
		Album:   s.album,
		TakenAt: s.taken,
		JPEG:    bytes.Clone(buf.Bytes()), // drop the buffer's spare capacity
		Width:   width,
		Height:  height,
	}
}
