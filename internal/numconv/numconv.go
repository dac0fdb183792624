// Package numconv converts the numbers that arrive as `any` (GraphQL argument values, decoded
// cursor values, JSON) to integers, in one place: Go ints of every size, json.Number, decimal
// strings, and floats that hold a whole number.
package numconv

import (
	"encoding/json"
	"math"
	"strconv"
)

// Int64 returns v as an int64, and false when v is not a whole number that fits.
func Int64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case float64:
		if n != math.Trunc(n) || n > math.MaxInt64 || n < math.MinInt64 {
			return 0, false // NaN fails the first test, infinities the others
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}
