package web

import "net/http"

// dashboardRoutes adds the operator's orders, parked messages,
// settlement and amendment pages. The members, charter and merchants pages and the event stream
// are in routes.
func (wb *Web) dashboardRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /operator/orders", wb.asOperator(wb.operatorOrders))
	mux.HandleFunc("GET /operator/parked", wb.asOperator(wb.operatorParked))
	mux.HandleFunc("POST /operator/parked/{peer}/{seq}/retry", wb.asOperator(wb.retryParked))
	mux.HandleFunc("GET /operator/parked/{peer}/{seq}/drop", wb.asOperator(wb.dropParkedForm))
	mux.HandleFunc("POST /operator/parked/{peer}/{seq}/drop", wb.asOperator(wb.dropParked))
	mux.HandleFunc("GET /operator/settlement", wb.asOperator(wb.operatorSettlement))
	mux.HandleFunc("GET /operator/settlement/{period}", wb.asOperator(wb.operatorPeriod))
	mux.HandleFunc("GET /operator/settlement/{period}/netting.csv", wb.asOperator(wb.nettingCSV))
	mux.HandleFunc("POST /operator/charter/proposals", wb.asOperator(wb.proposeAmendment))
	mux.HandleFunc("POST /operator/charter/proposals/{digest}/sign", wb.asOperator(wb.signAmendment))
}
