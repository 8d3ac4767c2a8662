// Writes go_cases.jsonl: what Go 1.19 and shopspring/decimal 1.2.0 (Debian's; go-ibax pins 1.3.1) answer
// for the inputs below. The tests read the file; they never need Go. To regenerate, with
// Debian's golang-go and golang-github-shopspring-decimal-dev installed:
//
//	mkdir -p /tmp/g/src/cases && cp gen_cases.go /tmp/g/src/cases/main.go
//	GO111MODULE=off GOPATH=/tmp/g:/usr/share/gocode go run /tmp/g/src/cases/main.go > go_cases.jsonl
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

func out(kind string, in any, result any) {
	b, _ := json.Marshal(map[string]any{"kind": kind, "in": in, "out": result})
	fmt.Println(string(b))
}

func errs(err error) any {
	if err != nil {
		return "ERR " + err.Error()
	}
	return nil
}

func main() {
	// FormatFloat
	vals := []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 0.5, 2.5, 100, 123456, 1234567, 1e6, 1e20, 1e21, 1e-4, 1e-5, 1e-6, 1e-7, 1.5e-7, 0.30000000000000004, 5e-324, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 123.456, 9.5, 0.05}
	type fp struct {
		f    byte
		prec int
	}
	fmts := []fp{{'g', -1}, {'e', -1}, {'f', -1}, {'G', -1}, {'E', 3}, {'f', 2}, {'g', 3}, {'x', -1}, {'X', 2}, {'b', -1}, {'f', 0}, {'e', 0}}
	for _, v := range vals {
		for _, f := range fmts {
			out("format_float", []any{math.Float64bits(v), string(f.f), f.prec}, strconv.FormatFloat(v, f.f, f.prec, 64))
		}
		j, err := json.Marshal(v)
		if err != nil {
			out("marshal_float", math.Float64bits(v), "ERR "+err.Error())
		} else {
			out("marshal_float", math.Float64bits(v), string(j))
		}
		out("sprint_float", math.Float64bits(v), fmt.Sprint(v))
	}
	// ParseFloat
	for _, s := range []string{"1.5", "1_000", "0x1_0p0", "1_0.5", "_1", "1__0", "0x_1p0", "1e1_0", ".5", "5.", "1e400", "-1e400", "0x1p-2000", "inf", "-Infinity", "+INF", "nan", "NaN", "+nan", "+5", "", " 1", "1e", "0x1", "0x1p", "0x1.8p1", "1_", "0_1", "1e+_5", "1E5", "1e-400", "4.9e-324", "2.4e-324", "0x1.fffffffffffffp1023", "0x1p1024", "1,5", "\x80"} {
		f, err := strconv.ParseFloat(s, 64)
		out("parse_float", hex.EncodeToString([]byte(s)), []any{math.Float64bits(f), errs(err)})
	}
	// Quote family
	strs := []string{"", "abc", "a\"b\\c", "tab\there", "\x00\x07\x08\x0c\x1b\x7f", "é€😀", "\u00a0\u200b\ufeff\u2028", "\xff\xfeok", "a\xe2\x82", "\U0010ffff", "`raw`", "line\nbreak", "日本語"}
	for _, s := range strs {
		out("quote", hex.EncodeToString([]byte(s)), []any{strconv.Quote(s), strconv.QuoteToASCII(s), strconv.CanBackquote(s)})
		j, _ := json.Marshal(s)
		out("json_quote", hex.EncodeToString([]byte(s)), string(j))
	}
	for _, r := range []rune{'a', '\'', '"', '\n', 0, 0x7f, 0xe9, 0x1f600, 0xd800, 0x110000, 0x2028, -1} {
		out("quote_rune", r, []any{strconv.QuoteRune(r), strconv.QuoteRuneToASCII(r)})
	}
	for _, body := range []string{`abc`, `a\nb`, `\a\b\f\n\r\t\v\\\"`, `\x41\x42`, `\xff`, `\101\102`, `\400`, `\u00e9`, `\U0001F600`, `\ud800`, `\U00110000`, `\q`, `a"b`, "a\nb", `\`, `\x4`, `\u12`, `é`, `\'`} {
		u, err := strconv.Unquote(`"` + body + `"`)
		if err != nil {
			out("unquote", body, nil)
		} else {
			out("unquote", body, hex.EncodeToString([]byte(u)))
		}
	}
	// int conversions
	for _, f := range []float64{0, 1.9, -1.9, 9.2233720368547e18, 9.223372036854775807e18, -9.223372036854775808e18, 1e19, -1e19, math.NaN(), math.Inf(1), math.Inf(-1)} {
		out("float_to_int64", math.Float64bits(f), int64(f))
	}
	// hex and base64
	for _, s := range []string{"", "00ff", "0g", "abc", "zz", "ABCDEF", "a\x80", "12 34"} {
		b, err := hex.DecodeString(s)
		out("hex", hex.EncodeToString([]byte(s)), []any{hex.EncodeToString(b), errs(err)})
	}
	for _, s := range []string{"", "aGk=", "aGk", "aGk==", "aG\nk=", "a=Gk", "aGk=x", "aGVsbG8=\r\n", "a", "ab==", "ab=\n=", "ab=x", "!!!!"} {
		b, err := base64.StdEncoding.DecodeString(s)
		out("base64", s, []any{hex.EncodeToString(b), errs(err)})
	}
	// time layouts
	for _, l := range []string{"2006-01-02 15:04:05", "Mon Jan _2 15:04:05 MST 2006", "Monday, January 2, 2006 3:04PM", "06/1/2 3:4:5 pm", "002 __2 .000 ,999 Z07:00 -0700 -07 Z0700 -07:00:00", "Jan January Janx Mon Monday Monx"} {
		for _, off := range []int{0, 19800, -34200} {
			loc := time.FixedZone("", off)
			t := time.Unix(1257894000, 0).In(loc)
			out("format_time", []any{l, 1257894000, off}, t.Format(l))
		}
	}
	for _, u := range []int64{0, 1257894000, -1, 253402300799, -62135596800} {
		out("time_string", u, time.Unix(u, 0).UTC().String())
	}
	for _, ns := range []int64{0, 1, 999, 1000, 1500, 999999, 1000000, 1500000, 999999999, 1000000000, 1500000000, 60000000000, 61000000001, 3600000000000, 3661000000000, 28789431054300, -1500000, -3600000000000, math.MaxInt64} {
		out("duration_string", ns, time.Duration(ns).String())
	}
	// time.Parse with the numeric layouts of the built-ins and the page engine
	for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		for _, v := range []string{"2019-11-10 23:00:00", "2019-11-10T23:00:00", "2019-11-10  23:00:00", "2019-13-10T23:00:00", "2019-02-29T00:00:00", "2020-02-29T00:00:00", "2019-11-10T24:00:00", "2019-11-10T23:60:00", "2019-11-10T23:00:00.5", "2019-11-10T23:00:00,123x", "2019-11-10T23:00:00Z", "+123-01-01T00:00:00", "1a23-01-01T00:00:00", "2019-1-10T23:00:00", "2019-11-1T23:00:00", "2019-11-10T3:00:00", "2019-11-10T23:0:00", "", "20", "2019-11-10T23:00", "2019-11-10T23:00:00 ", "0000-01-01T00:00:00", "9999-12-31T23:59:59"} {
			t, err := time.Parse(l, v)
			if err != nil {
				out("parse_time", []any{l, v}, "ERR "+err.Error())
			} else {
				out("parse_time", []any{l, v}, t.Unix())
			}
		}
	}
	// math
	for _, x := range []float64{1000, 0.5, 2, 10, 1e-300, 123.456} {
		out("log", math.Float64bits(x), math.Float64bits(math.Log(x)))
		out("log10", math.Float64bits(x), math.Float64bits(math.Log10(x)))
		out("exp", math.Float64bits(x/100), math.Float64bits(math.Exp(x/100)))
	}
	for _, p := range [][2]float64{{2, 0.5}, {2, 10}, {10, -3}, {-2, 3}, {0.9, 1e10}, {1.0000001, 1e8}, {3, 1e20}} {
		out("pow", []uint64{math.Float64bits(p[0]), math.Float64bits(p[1])}, math.Float64bits(math.Pow(p[0], p[1])))
	}
	// shopspring/decimal
	for _, s := range []string{"0", "-0", "0.000", "-0.0", "1.50", "-1.50", "1e3", "1E+3", "1.5e-7", "-12.345e2", "00012.3400", ".5", "-.5", "5.", "+7", "1e-20", "123456789012345678901234567890.123456789", "99776304267487492820342955944e-11", "1e100", "abc", "1.2.3", "1e", "1ex", "1e5.5", "", "-", "1e9999999999", "0x10", " 1", "1_000"} {
		d, err := decimal.NewFromString(s)
		if err != nil {
			out("decimal", s, "ERR "+err.Error())
		} else {
			out("decimal", s, d.String())
		}
	}
	for _, p := range [][2]string{{"1", "3"}, {"2", "3"}, {"-2", "3"}, {"10", "4"}, {"1e20", "7"}, {"1", "1e-20"}, {"0.5", "0.25"}, {"-7", "-2"}} {
		a, _ := decimal.NewFromString(p[0])
		b, _ := decimal.NewFromString(p[1])
		out("div_round", p, a.DivRound(b, 16).String())
	}
}
