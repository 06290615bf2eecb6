package ecsfake

import (
	"encoding/json"
	"strconv"
	"time"
)

// The shapes below are ECS's JSON wire shapes (awsJson1.1), named as in the SDK's schemas
// (service/ecs/schemas: Service, Deployment, ServiceEvent, Task, Failure). Only the members the fake fills are
// declared; the SDK skips members it is not sent.

// epoch is a timestamp on the wire: seconds since 1970 as a JSON number, with milliseconds.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(e).UnixMilli())/1000, 'f', 3, 64)), nil
}

type service struct {
	ServiceArn           string               `json:"serviceArn"`
	ServiceName          string               `json:"serviceName"`
	ClusterArn           string               `json:"clusterArn"`
	Status               string               `json:"status"`
	DesiredCount         int                  `json:"desiredCount"`
	RunningCount         int                  `json:"runningCount"`
	PendingCount         int                  `json:"pendingCount"`
	LaunchType           string               `json:"launchType"`
	TaskDefinition       string               `json:"taskDefinition"`
	Deployments          []*deployment        `json:"deployments"`
	Events               []event              `json:"events"`
	CreatedAt            epoch                `json:"createdAt"`
	DeploymentController deploymentController `json:"deploymentController"`

	cluster string
	newest  *deployment // the deployment the last UpdateService started; scripts drive it
}

type deploymentController struct {
	Type string `json:"type"`
}

type deployment struct {
	ID                 string `json:"id"`
	Status             string `json:"status"`
	TaskDefinition     string `json:"taskDefinition"`
	DesiredCount       int    `json:"desiredCount"`
	PendingCount       int    `json:"pendingCount"`
	RunningCount       int    `json:"runningCount"`
	FailedTasks        int    `json:"failedTasks"`
	CreatedAt          epoch  `json:"createdAt"`
	UpdatedAt          epoch  `json:"updatedAt"`
	LaunchType         string `json:"launchType"`
	RolloutState       string `json:"rolloutState"`
	RolloutStateReason string `json:"rolloutStateReason"`

	prev   *deployment // PRIMARY before this one: where a circuit breaker returns
	script []Step
	polls  int
}

type event struct {
	ID        string `json:"id"`
	CreatedAt epoch  `json:"createdAt"`
	Message   string `json:"message"`
}

type task struct {
	TaskArn           string `json:"taskArn"`
	ClusterArn        string `json:"clusterArn"`
	TaskDefinitionArn string `json:"taskDefinitionArn"`
	Group             string `json:"group"`
	StartedBy         string `json:"startedBy"`
	LastStatus        string `json:"lastStatus"`
	DesiredStatus     string `json:"desiredStatus"`
	LaunchType        string `json:"launchType"`
	CreatedAt         epoch  `json:"createdAt"`
	StopCode          string `json:"stopCode,omitempty"`
	StoppedReason     string `json:"stoppedReason,omitempty"`
	StoppedAt         *epoch `json:"stoppedAt,omitempty"`

	cluster string
}

type failure struct {
	Arn    string `json:"arn"`
	Reason string `json:"reason"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// taskDef is a registered revision: the members the client registered, kept as sent, plus ECS's own.
type taskDef struct {
	arn, family, status string
	revision            int
	body                map[string]json.RawMessage
	tags                []tag
}

// apiError is an awsJson error: HTTP 400 with {"__type": code, "message": …}.
type apiError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func errorf(code, message string) *apiError { return &apiError{Type: code, Message: message} }

var (
	errClusterNotFound = errorf("ClusterNotFoundException", "Cluster not found.")
	errServiceNotFound = errorf("ServiceNotFoundException", "Service not found.")
)
