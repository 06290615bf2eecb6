package ecs

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func twoContainers() *types.TaskDefinition {
	return &types.TaskDefinition{
		TaskDefinitionArn: aws.String("arn:aws:ecs:eu-west-1:1:task-definition/web:41"),
		ContainerDefinitions: []types.ContainerDefinition{
			{Name: aws.String("web"), Image: aws.String("web:41"), Environment: []types.KeyValuePair{
				{Name: aws.String("B"), Value: aws.String("1")}, {Name: aws.String("A"), Value: aws.String("2")}}},
			{Name: aws.String("proxy"), Image: aws.String("envoy:1")},
		},
	}
}

func TestWithImage_ChangesOnlyTheNamedContainerOfACopy(t *testing.T) {
	td := twoContainers()
	got, err := withImage(td, "web", "web:42", map[string]string{"A": "3", "Z": "4", "C": "5"})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ContainerDefinitions[0].Image) != "web:42" || aws.ToString(got.ContainerDefinitions[1].Image) != "envoy:1" {
		t.Fatalf("images %s %s", aws.ToString(got.ContainerDefinitions[0].Image), aws.ToString(got.ContainerDefinitions[1].Image))
	}
	var env []string
	for _, kv := range got.ContainerDefinitions[0].Environment {
		env = append(env, aws.ToString(kv.Name)+"="+aws.ToString(kv.Value))
	}
	if strings.Join(env, " ") != "B=1 A=3 C=5 Z=4" {
		t.Fatalf("set variables keep their place, new ones follow by name: %v", env)
	}
	if aws.ToString(td.ContainerDefinitions[0].Image) != "web:41" || aws.ToString(td.ContainerDefinitions[0].Environment[1].Value) != "2" {
		t.Fatal("the task definition that was read must not change")
	}
}

func TestWithImage_UnknownContainerNamesTheOnesPresent(t *testing.T) {
	_, err := withImage(twoContainers(), "app", "web:42", nil)
	if err == nil || err.Error() != `task definition web:41 has no container "app" (containers: web, proxy)` {
		t.Fatal(err)
	}
}

// TestRegisterInput_CopiesEveryRegistrableField fills every field of a task definition and checks that each
// field RegisterTaskDefinition accepts arrives, so a field added by an SDK update is not silently dropped.
func TestRegisterInput_CopiesEveryRegistrableField(t *testing.T) {
	td := &types.TaskDefinition{}
	v := reflect.ValueOf(td).Elem()
	for i := range v.NumField() {
		fill(v.Field(i))
	}
	in := reflect.ValueOf(registerInput(td, []types.Tag{{Key: aws.String("team"), Value: aws.String("pets")}})).Elem()
	tdType := v.Type()
	for i := range in.NumField() {
		f := in.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if _, ok := tdType.FieldByName(f.Name); !ok && f.Name != "Tags" {
			t.Errorf("RegisterTaskDefinitionInput.%s has no TaskDefinition field to copy from: decide what a rollout sets", f.Name)
			continue
		}
		if in.Field(i).IsZero() {
			t.Errorf("RegisterTaskDefinitionInput.%s is not copied", f.Name)
		}
	}
}

// fill sets a field to a non-zero value of its type.
func fill(f reflect.Value) {
	if !f.CanSet() {
		return
	}
	switch f.Kind() {
	case reflect.Pointer:
		f.Set(reflect.New(f.Type().Elem()))
	case reflect.Slice:
		f.Set(reflect.MakeSlice(f.Type(), 1, 1))
	case reflect.String:
		f.SetString("x")
	case reflect.Int32, reflect.Int64, reflect.Int:
		f.SetInt(1)
	case reflect.Bool:
		f.SetBool(true)
	}
}

func TestRegisterInput_DropsTagsAWSReserves(t *testing.T) {
	in := registerInput(twoContainers(), []types.Tag{
		{Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("app")},
		{Key: aws.String("team"), Value: aws.String("pets")},
	})
	if len(in.Tags) != 1 || aws.ToString(in.Tags[0].Key) != "team" {
		t.Fatalf("tags %v", in.Tags)
	}
	if in := registerInput(twoContainers(), nil); in.Tags != nil {
		t.Fatal("no tags must stay nil, not an empty list")
	}
}
