package numconv

import (
	"encoding/json"
	"math"
	"testing"
)

func TestInt64(t *testing.T) {
	for _, v := range []any{int(7), int8(7), int16(7), int32(7), int64(7), uint8(7), uint16(7), uint32(7), uint64(7), 7.0, json.Number("7"), "7"} {
		if n, ok := Int64(v); !ok || n != 7 {
			t.Errorf("Int64(%T %v) = %d, %v; want 7, true", v, v, n, ok)
		}
	}
	for _, v := range []any{7.5, math.NaN(), math.Inf(1), uint64(math.MaxUint64), json.Number("7.5"), "seven", nil, true} {
		if n, ok := Int64(v); ok {
			t.Errorf("Int64(%T %v) = %d, true; want false", v, v, n)
		}
	}
}
