package metricsd

import "runtime"

type runtimeMem struct{ total uint64 }

// read records the bytes allocated so far (every goroutine's).
func (m *runtimeMem) read() {
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	m.total = st.TotalAlloc
}
